using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Mesh.Ztunnel.Outbound;

/// <summary>Formats "ip:port" the way HTTP authorities are written (IPv6 in brackets, IPv4-mapped shown as IPv4).</summary>
internal static class AddressFormat
{
    public static string HostPort(IPAddress address, int port)
    {
        var a = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        var port10 = port.ToString(CultureInfo.InvariantCulture);
        return a.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{a}]:{port10}" : $"{a}:{port10}";
    }
}
