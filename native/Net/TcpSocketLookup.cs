using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Tmds.Linux;

namespace Mesh.Native.Net;

/// <summary>
/// Asks a network namespace's kernel whether it holds a TCP socket with an exact local and remote endpoint
/// (sock_diag, NETLINK_SOCK_DIAG, one exact-match request: no dump). Thread-safe: requests are serialised on one
/// netlink socket made inside the namespace.
/// </summary>
public sealed class TcpSocketLookup : IDisposable
{
    private const int NetlinkSockDiag = 4;
    private const ushort SockDiagByFamily = 20;
    private const byte IpprotoTcp = 6;
    private const int RequestSize = 56; // struct inet_diag_req_v2
    private const int MessageStateOffset = 1; // struct inet_diag_msg { family, state, ... }

    private readonly NetlinkChannel _channel;
    private readonly Lock _lock = new();

    private TcpSocketLookup(string netnsPath) => _channel = new NetlinkChannel(netnsPath, NetlinkSockDiag);

    /// <summary>Opens the lookup for <paramref name="netnsPath"/>; throws <see cref="BpfException"/> when the namespace cannot be entered.</summary>
    public static TcpSocketLookup Open(string netnsPath) => new(netnsPath);

    /// <summary>
    /// The state of the socket bound to <paramref name="local"/> and connected to <paramref name="remote"/> in the
    /// namespace, or null when there is none. The kernel falls back to a listener on <paramref name="local"/> when
    /// no connection matches: that answer is <see cref="TcpSocketState.Listen"/>.
    /// </summary>
    public TcpSocketState? Find(IPEndPoint local, IPEndPoint remote)
    {
        Span<byte> request = stackalloc byte[RequestSize];
        Build(request, local, remote);
        TcpSocketState? state = null;
        var error = 0;
        lock (_lock)
        {
            _channel.Request(SockDiagByFamily, 0, request, "sock_diag lookup", (type, payload) =>
            {
                if (type == NetlinkChannel.NlmsgError)
                {
                    error = NetlinkChannel.ErrorOf(payload);
                    return true;
                }
                if (type == SockDiagByFamily && payload.Length > MessageStateOffset)
                {
                    state = (TcpSocketState)payload[MessageStateOffset];
                    return true;
                }
                return type == NetlinkChannel.NlmsgDone;
            });
        }
        if (error != 0 && error != Errno.ENOENT)
        {
            throw new BpfException($"sock_diag lookup of {local} <- {remote}", error);
        }
        return state;
    }

    /// <summary>struct inet_diag_req_v2 for an exact lookup: family, protocol, every state, the socket id with no cookie.</summary>
    internal static void Build(Span<byte> request, IPEndPoint local, IPEndPoint remote)
    {
        request.Clear();
        request[0] = (byte)AddressFamily.InterNetwork;
        request[1] = IpprotoTcp;
        BinaryPrimitives.WriteUInt32LittleEndian(request[4..], uint.MaxValue); // idiag_states: all
        var id = request[8..];
        BinaryPrimitives.WriteUInt16BigEndian(id, (ushort)local.Port);
        BinaryPrimitives.WriteUInt16BigEndian(id[2..], (ushort)remote.Port);
        IPv4(local.Address).TryWriteBytes(id[4..], out _);
        IPv4(remote.Address).TryWriteBytes(id[20..], out _);
        BinaryPrimitives.WriteUInt32LittleEndian(id[40..], uint.MaxValue); // INET_DIAG_NOCOOKIE
        BinaryPrimitives.WriteUInt32LittleEndian(id[44..], uint.MaxValue);
    }

    private static IPAddress IPv4(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    /// <summary>Closes the netlink socket once no lookup is using it (a lookup after this throws <see cref="ObjectDisposedException"/>).</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            _channel.Dispose();
        }
    }
}
