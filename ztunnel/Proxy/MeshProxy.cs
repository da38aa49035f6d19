using System.Collections.Concurrent;
using Mesh.Ztunnel.Redirection;

namespace Mesh.Ztunnel.Proxy;

/// <summary>
/// Runs the three accept loops of every enrolled pod (15001 outbound, 15006 plaintext inbound, 15008 HBONE) and
/// tells the <see cref="PodDialer"/> which pod owns a source address, so HBONE connections leave from the source
/// pod's namespace.
/// </summary>
/// <param name="inputs">What every listener needs (state, sockets, HBONE client and server, limits).</param>
/// <param name="destinations">Where captured outbound connections were going (the loaded capture's map).</param>
/// <param name="dialer">The HBONE client's socket factory (in <paramref name="inputs"/>' client).</param>
/// <param name="drain">Stops the accept loops and, at the drain deadline, aborts the connections.</param>
public sealed class MeshProxy(ProxyInputs inputs, OriginalDestinations destinations, PodDialer dialer, ConnectionDrain drain) : IPodListenerObserver, IDisposable
{
    private readonly ConcurrentDictionary<string, CancellationTokenSource> _pods = new();

    public void OnEnrolled(PodListeners listeners)
    {
        var cts = new CancellationTokenSource();
        if (!_pods.TryAdd(listeners.Pod.Uid, cts))
        {
            cts.Dispose();
            return;
        }
        dialer.Add(listeners.Pod);
        _ = Task.Run(() => new MeshOutbound(inputs, destinations).RunAsync(listeners, drain, cts.Token));
        _ = Task.Run(() => new PlaintextInbound(inputs).RunAsync(listeners, drain, cts.Token));
        _ = Task.Run(() => new HboneInbound(inputs).RunAsync(listeners, drain, cts.Token));
    }

    public void OnUnenrolled(PodListeners listeners)
    {
        dialer.Remove(listeners.Pod);
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
