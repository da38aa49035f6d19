using System.Net;
using System.Net.Sockets;
using Mesh.Native;

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
        _transparent = new NetNsSocketOptions(Mark: options.InboundMark, Transparent: true, ReuseAddress: false, BindAddressNoPort: true);
    }

    public PodSocketFactory(uint ztunnelMark)
        : this(new RedirectionOptions { ZtunnelMark = ztunnelMark })
    {
    }

    /// <summary>A marked socket in the pod (outbound dials: HBONE, passthrough).</summary>
    public Socket CreateTcp(PodCapture pod) => NetNs.CreateTcpSocket(pod.NetnsPath, _options);

    /// <summary>
    /// A socket in the pod to dial its app. When the pod's routes are in place (<see cref="PodListeners.SourcePreserved"/>)
    /// and <paramref name="client"/> is a usable IPv4 address, it is transparent, carries the inbound mark and is
    /// bound to (client, 0), so the app sees the client; otherwise (or if that bind fails) it is an ordinary marked
    /// socket and the app sees the pod's own address.
    /// </summary>
    public Socket CreateToApp(PodListeners pod, IPAddress? client)
    {
        if (!pod.SourcePreserved || client is null || !IsSpoofable(client))
        {
            return CreateTcp(pod.Pod);
        }
        var socket = NetNs.CreateTcpSocket(pod.Pod.NetnsPath, _transparent);
        try
        {
            socket.Bind(new IPEndPoint(client.IsIPv4MappedToIPv6 ? client.MapToIPv4() : client, 0));
            return socket;
        }
        catch (SocketException)
        {
            socket.Dispose();
            return CreateTcp(pod.Pod);
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
