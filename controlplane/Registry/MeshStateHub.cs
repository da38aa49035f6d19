using Mesh.Core.State;

namespace Mesh.ControlPlane.Registry;

/// <summary>
/// Holds the latest <see cref="RegistrySnapshot"/>. One writer (the registry) publishes; readers (CA node
/// authorization, discovery) read <see cref="Current"/> without locks or await <see cref="NextAsync"/>.
/// </summary>
public sealed class MeshStateHub
{
    private readonly SnapshotHolder<RegistrySnapshot?> _state = new(null);

    /// <summary>Null until the first publish (all sources synced): the control plane is not ready.</summary>
    public RegistrySnapshot? Current => _state.Current;

    public void Publish(RegistrySnapshot snapshot) => _state.Publish(snapshot);

    /// <summary>Completes at the next publish after the call.</summary>
    public Task NextAsync(CancellationToken cancellationToken) => _state.NextAsync(cancellationToken);
}
