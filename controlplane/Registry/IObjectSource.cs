namespace Mesh.ControlPlane.Registry;

/// <summary>
/// A stream of Kubernetes-shaped objects: the file registry (a folder of YAML) and the Kubernetes
/// registry (list/watch) both implement it and feed the same <see cref="ObjectRegistry"/> and translation.
/// Contract: Upserts/Deletes as they happen; Synced("") once everything initially present has been
/// sent (and again after every relist/rescan); Reset(kind) before a relist of a kind. The enumeration
/// runs until the token is cancelled; if it throws, the registry logs it and calls WatchAsync again
/// after a delay, which must start with a Reset("") and a full list.
/// </summary>
public interface IObjectSource
{
    /// <summary>A short name for logs and status ("file:/run/mesh-lab/x/cluster", "kubernetes").</summary>
    string Name { get; }

    IAsyncEnumerable<ObjectChange> WatchAsync(CancellationToken cancellationToken);
}
