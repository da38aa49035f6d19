using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Mesh.Ztunnel.Redirection;

namespace Mesh.Ztunnel.Proxy;

/// <summary>
/// The HBONE client's socket factory: knows which enrolled pod owns a source address (kept by <see cref="MeshProxy"/>
/// as pods are enrolled and unenrolled) and dials from a socket in that pod's namespace, so the peer sees the pod's
/// address, marked so capture skips it.
/// </summary>
public sealed class PodDialer(PodSocketFactory sockets)
{
    private readonly ConcurrentDictionary<IPAddress, PodCapture> _byAddress = new();

    public void Add(PodCapture pod) => _byAddress[pod.Ip] = pod;

    /// <summary>Forgets <paramref name="pod"/>'s address unless another pod took it meanwhile.</summary>
    public void Remove(PodCapture pod) => _byAddress.TryRemove(new KeyValuePair<IPAddress, PodCapture>(pod.Ip, pod));

    public async ValueTask<Socket> ConnectFromPodAsync(IPEndPoint destination, IPAddress? source, CancellationToken cancellationToken)
    {
        if (source is null || !_byAddress.TryGetValue(source, out var pod))
        {
            throw new SocketException((int)SocketError.AddressNotAvailable);
        }
        var socket = sockets.CreateTcp(pod);
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
}
