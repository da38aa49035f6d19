using System.Net;
using System.Net.Sockets;
using Mesh.Native.Net;

namespace Mesh.Ztunnel.Redirection;

/// <summary>
/// A pod's three listeners (127.0.0.1:15001, 0.0.0.0:15006, 0.0.0.0:15008) opened inside its network namespace with
/// the safe setns pattern (SO_MARK, IP_TRANSPARENT, SO_REUSEADDR), or taken from the sockets a predecessor handed over.
/// </summary>
internal static class InPodListeners
{
    private const int SolSocket = 1;
    private const int SoNetnsCookie = 71;
    private const int ListenBacklog = 1024;

    public static PodListeners Open(PodCapture pod, uint ztunnelMark)
    {
        var options = new NetNsSocketOptions(Mark: ztunnelMark, Transparent: true, ReuseAddress: true);
        Socket? outbound = null, inbound = null, hbone = null;
        try
        {
            outbound = Listen(pod, options, IPAddress.Loopback, MeshPorts.Outbound);
            inbound = Listen(pod, options, IPAddress.Any, MeshPorts.Inbound);
            hbone = Listen(pod, options, IPAddress.Any, MeshPorts.Hbone);
            return new PodListeners(pod, outbound, inbound, hbone, NetnsCookie(outbound));
        }
        catch
        {
            outbound?.Dispose();
            inbound?.Dispose();
            hbone?.Dispose();
            throw;
        }
    }

    /// <summary>The handed-over sockets as <paramref name="pod"/>'s listeners (same namespace, so the same netns cookie).</summary>
    public static PodListeners From(PodCapture pod, PodListenerSockets sockets) =>
        new(pod, sockets.Outbound, sockets.Inbound, sockets.Hbone, NetnsCookie(sockets.Outbound));

    private static Socket Listen(PodCapture pod, NetNsSocketOptions options, IPAddress address, int port)
    {
        var socket = NetNs.CreateTcpSocket(pod.NetnsPath, options);
        try
        {
            socket.Bind(new IPEndPoint(address, port));
            socket.Listen(ListenBacklog);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static ulong NetnsCookie(Socket socket)
    {
        Span<byte> value = stackalloc byte[sizeof(ulong)];
        socket.GetRawSocketOption(SolSocket, SoNetnsCookie, value);
        return BitConverter.ToUInt64(value);
    }
}
