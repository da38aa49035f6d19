using System.Collections.Concurrent;
using Mesh.Ztunnel.Redirection;
using Microsoft.Extensions.Logging;

namespace Mesh.Ztunnel.Proxy;

/// <summary>
/// Runs the accept loops of every enrolled pod: 15001 through <see cref="PassthroughOutbound"/>,
/// 15006 through <see cref="PassthroughInbound"/>. 15008 is left to the HBONE server.
/// </summary>
public sealed class InPodProxy : IPodListenerObserver, IDisposable
{
    private readonly ConcurrentDictionary<string, CancellationTokenSource> _pods = new();
    private readonly Func<IOriginalDestinations> _destinations;
    private readonly PodSocketFactory _sockets;
    private readonly ILogger _logger;

    /// <param name="destinations">Resolved lazily: the manager that calls this observer is the map reader.</param>
    public InPodProxy(Func<IOriginalDestinations> destinations, PodSocketFactory sockets, ILogger<InPodProxy> logger)
    {
        _destinations = destinations;
        _sockets = sockets;
        _logger = logger;
    }

    public void OnEnrolled(PodListeners listeners)
    {
        var cts = new CancellationTokenSource();
        if (!_pods.TryAdd(listeners.Pod.Uid, cts))
        {
            cts.Dispose();
            return;
        }
        var outbound = new PassthroughOutbound(_destinations(), _sockets, _logger);
        var inbound = new PassthroughInbound(_sockets, _logger);
        _ = Task.Run(() => outbound.RunAsync(listeners, cts.Token));
        _ = Task.Run(() => inbound.RunAsync(listeners, cts.Token));
    }

    public void OnUnenrolled(PodListeners listeners)
    {
        if (_pods.TryRemove(listeners.Pod.Uid, out var cts))
        {
            cts.Cancel();
            cts.Dispose();
        }
    }

    public void Dispose()
    {
        foreach (var cts in _pods.Values)
        {
            cts.Cancel();
            cts.Dispose();
        }
        _pods.Clear();
    }
}
