using Mesh.Core.Model;

namespace Mesh.ControlPlane.Discovery;

/// <summary>
/// The trust bundle discovery publishes (all anchors of the CA, PEM) and a signal when it changes. The CA side
/// (<c>Ca.TrustBundlePublisher</c>) is the one writer; <see cref="DiscoveryState"/> turns each change into a version.
/// </summary>
public sealed class TrustBundleFeed
{
    private volatile TrustBundle? _current;
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Null until the CA published its first bundle.</summary>
    public TrustBundle? Current => _current;

    public Task NextAsync(CancellationToken cancellationToken) => Volatile.Read(ref _next).Task.WaitAsync(cancellationToken);

    /// <summary>Publishes <paramref name="bundle"/> when its anchors differ from the current ones; true when they did.</summary>
    public bool Publish(TrustBundle bundle)
    {
        if (_current is { } held && held.TrustDomain == bundle.TrustDomain && held.Anchors.SequenceEqual(bundle.Anchors))
        {
            return false;
        }
        _current = bundle;
        Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        return true;
    }
}
