using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Mesh.Ztunnel.Redirection;

/// <summary>Conversions between .NET endpoints and the BPF maps' encoding (pure).</summary>
public static class BpfAddress
{
    /// <summary>
    /// The IPv4 address as the kernel stores it: the four address bytes in memory order (network
    /// order), read as a native uint. v4-mapped IPv6 is unwrapped.
    /// </summary>
    public static uint ToNetworkOrder(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        if (address.AddressFamily != AddressFamily.InterNetwork)
        {
            throw new ArgumentException($"{address} is not IPv4", nameof(address));
        }
        Span<byte> bytes = stackalloc byte[4];
        address.TryWriteBytes(bytes, out _);
        return MemoryMarshal.Read<uint>(bytes);
    }

    public static IPAddress FromNetworkOrder(uint ip)
    {
        Span<byte> bytes = stackalloc byte[4];
        MemoryMarshal.Write(bytes, in ip);
        return new IPAddress(bytes);
    }

    public static MeshClientKey ClientKey(ulong netnsCookie, IPEndPoint client) => new()
    {
        NetnsCookie = netnsCookie,
        Ip = ToNetworkOrder(client.Address),
        Port = (ushort)client.Port,
    };

    public static IPEndPoint ToEndPoint(MeshOrigDst dst) => new(FromNetworkOrder(dst.Ip), dst.Port);
}
