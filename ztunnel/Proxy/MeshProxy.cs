using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Mesh.Ztunnel.Redirection;

namespace Mesh.Ztunnel.Proxy;

/// <summary>
/// Runs the three accept loops of every enrolled pod (15001 outbound, 15006 plaintext inbound, 15008 HBONE) and
/// knows which pod owns a source address, so HBONE connections leave from the source pod's namespace.
/// </summary>
public sealed class MeshProxy : IPodListenerObserver, IDisposable
{
    private readonly ConcurrentDictionary<string, CancellationTokenSource> _pods = new();
    private readonly ConcurrentDictionary<IPAddress, PodCapture> _byAddress = new();
    private readonly Func<ProxyInputs> _inputs;

    /// <param name="inputs">Resolved at first enrollment (the inputs hold the manager that calls this observer).</param>
    /// <param name="drain">Stops the accept loops and, at the drain deadline, aborts the connections.</param>
    public MeshProxy(Func<ProxyInputs> inputs, ConnectionDrain drain)
    {
        _inputs = inputs;
        Drain = drain;
    }

    public ConnectionDrain Drain { get; }

    public void OnEnrolled(PodListeners listeners)
    {
        var cts = new CancellationTokenSource();
        if (!_pods.TryAdd(listeners.Pod.Uid, cts))
        {
            cts.Dispose();
            return;
        }
        _byAddress[listeners.Pod.Ip] = listeners.Pod;
        var inputs = _inputs();
        _ = Task.Run(() => new MeshOutbound(inputs).RunAsync(listeners, Drain, cts.Token));
        _ = Task.Run(() => new PlaintextInbound(inputs).RunAsync(listeners, Drain, cts.Token));
        _ = Task.Run(() => new HboneInbound(inputs).RunAsync(listeners, Drain, cts.Token));
    }

    public void OnUnenrolled(PodListeners listeners)
    {
        _byAddress.TryRemove(new KeyValuePair<IPAddress, PodCapture>(listeners.Pod.Ip, listeners.Pod));
        if (_pods.TryRemove(listeners.Pod.Uid, out var cts))
        {
            cts.Cancel();
            cts.Dispose();
        }
    }

    /// <summary>
    /// The HBONE client's socket factory: a socket in the source pod's namespace (so the peer sees the pod's address),
    /// marked so capture skips it.
    /// </summary>
    public async ValueTask<Socket> ConnectFromPodAsync(IPEndPoint destination, IPAddress? source, CancellationToken cancellationToken)
    {
        if (source is null || !_byAddress.TryGetValue(source, out var pod))
        {
            throw new SocketException((int)SocketError.AddressNotAvailable);
        }
        var socket = _inputs().Sockets.CreateTcp(pod);
        try
        {
            socket.NoDelay = true;
            await socket.ConnectAsync(destination, cancellationToken).ConfigureAwait(false);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
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
