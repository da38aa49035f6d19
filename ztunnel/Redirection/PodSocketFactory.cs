using System.Net;
using System.Net.Sockets;
using Mesh.Native;
using Mesh.Native.Net;

namespace Mesh.Ztunnel.Redirection;

/// <summary>
/// Sockets ztunnel dials from inside a pod: created in the pod's network namespace (so the peer sees the pod's
/// address, or the original client's for dials to the pod's own app) and marked so capture never redirects them.
/// </summary>
public sealed class PodSocketFactory
{
    private readonly NetNsSocketOptions _options;
    private readonly NetNsSocketOptions _transparent;

    public PodSocketFactory(RedirectionOptions options)
    {
        _options = new NetNsSocketOptions(Mark: options.ZtunnelMark, Transparent: false, ReuseAddress: false);
        _transparent = new NetNsSocketOptions(Mark: options.InboundMark, Transparent: true, ReuseAddress: false);
    }

    public PodSocketFactory(uint ztunnelMark)
        : this(new RedirectionOptions { ZtunnelMark = ztunnelMark })
    {
    }

    /// <summary>A marked socket in the pod (outbound dials: HBONE, passthrough).</summary>
    public Socket CreateTcp(PodCapture pod) => NetNs.CreateTcpSocket(pod.NetnsPath, _options);

    /// <summary>
    /// A socket in the pod to dial its app at <paramref name="target"/>. When the pod's routes are in place
    /// (<see cref="PodListeners.SourcePreserved"/>) and <paramref name="client"/> is a usable IPv4 address, it is
    /// transparent, carries the inbound mark and is bound to (client, port) with a port the kernel picks that is
    /// not the port of one of the client's own live connections to <paramref name="target"/> in the pod (those live
    /// in the same namespace, as ztunnel's captured sockets: the dial's SYN would land on one and silently kill it).
    /// Otherwise (or if no such port is found) it is an ordinary marked socket and the app sees the pod's own address.
    /// </summary>
    public Socket CreateToApp(PodListeners pod, IPAddress? client, IPEndPoint target)
    {
        if (!pod.SourcePreserved || client is null || !IsSpoofable(client))
        {
            return CreateTcp(pod.Pod);
        }
        var source = client.IsIPv4MappedToIPv6 ? client.MapToIPv4() : client;
        List<Socket>? taken = null;
        try
        {
            for (var attempt = 0; attempt < PortAttempts; attempt++)
            {
                var socket = NetNs.CreateTcpSocket(pod.Pod.NetnsPath, _transparent);
                try
                {
                    socket.Bind(new IPEndPoint(source, 0));
                }
                catch (SocketException)
                {
                    socket.Dispose();
                    break;
                }
                if (!Collides(LookUp(pod, target, (IPEndPoint)socket.LocalEndPoint!)))
                {
                    return socket;
                }
                (taken ??= []).Add(socket); // stays bound until the end, so the next bind gets another port
            }
            return CreateTcp(pod.Pod);
        }
        finally
        {
            taken?.ForEach(s => s.Dispose());
        }
    }

    /// <summary>Binds tried before a dial gives up on the client's address (a collision is about 1 in 10,000 dials under a flood).</summary>
    internal const int PortAttempts = 4;

    /// <summary>
    /// Whether the pod's socket in <paramref name="mirror"/> state (the one bound to the target and connected from the
    /// chosen client port) makes that port unusable: any connection does, in any state; a listener is only the
    /// kernel's fallback answer (no connection matched), and none is none.
    /// </summary>
    public static bool Collides(TcpSocketState? mirror) => mirror is not null and not TcpSocketState.Listen;

    private static TcpSocketState? LookUp(PodListeners pod, IPEndPoint target, IPEndPoint local)
    {
        try
        {
            return pod.Connections?.Find(target, local);
        }
        catch (Exception e) when (e is BpfException or ObjectDisposedException)
        {
            return null; // the pod is going away (unenrolled) or the kernel would not say: dial as before
        }
    }

    private static bool IsSpoofable(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        return address.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(address) && !address.Equals(IPAddress.Any)
            && !address.Equals(IPAddress.Broadcast);
    }
}
