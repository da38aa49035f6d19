using Mesh.Core.Identity;
using Mesh.Core.State;

namespace Mesh.ControlPlane.Discovery;

/// <summary>
/// The trust bundle discovery publishes (all anchors of the CA, PEM) and a signal when it changes. The CA side
/// (<c>Ca.TrustBundlePublisher</c>) is the one writer; <see cref="DiscoveryState"/> turns each change into a version.
/// </summary>
public sealed class TrustBundleFeed
{
    private readonly SnapshotHolder<TrustBundle?> _state = new(null);

    /// <summary>Null until the CA published its first bundle.</summary>
    public TrustBundle? Current => _state.Current;

    public Task NextAsync(CancellationToken cancellationToken) => _state.NextAsync(cancellationToken);

    /// <summary>Publishes <paramref name="bundle"/> when its anchors differ from the current ones; true when they did.</summary>
    public bool Publish(TrustBundle bundle)
    {
        if (_state.Current is { } held && held.TrustDomain == bundle.TrustDomain && held.Anchors.SequenceEqual(bundle.Anchors))
        {
            return false;
        }
        _state.Publish(bundle);
        return true;
    }
}
