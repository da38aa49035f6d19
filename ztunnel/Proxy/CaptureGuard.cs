using System.Net;
using Mesh.Ztunnel.Limits;
using Mesh.Ztunnel.Redirection;

namespace Mesh.Ztunnel.Proxy;

/// <summary>Pure checks on captured connections before ztunnel dials anything (a refusal is reported and the connection reset).</summary>
public static class CaptureGuard
{
    /// <summary>
    /// Whether an outbound connection to <paramref name="originalDestination"/> may be carried: <see cref="RefusalReason.None"/>,
    /// <see cref="RefusalReason.NoOriginalDestination"/> or <see cref="RefusalReason.Loop"/>.
    /// </summary>
    public static RefusalReason CheckOutbound(IPAddress podIp, IPEndPoint? originalDestination)
    {
        if (originalDestination is null)
        {
            return RefusalReason.NoOriginalDestination;
        }
        return IsOwnListener(podIp, originalDestination) ? RefusalReason.Loop : RefusalReason.None;
    }

    /// <summary>
    /// Whether a connection accepted on 15006 (whose local endpoint is the original destination) may be forwarded to
    /// the app: <see cref="RefusalReason.None"/> or <see cref="RefusalReason.Loop"/>.
    /// </summary>
    public static RefusalReason CheckInbound(IPAddress podIp, IPEndPoint originalDestination) =>
        IsOwnListener(podIp, originalDestination) ? RefusalReason.Loop : RefusalReason.None;

    private static bool IsOwnListener(IPAddress podIp, IPEndPoint destination)
    {
        var address = destination.Address.IsIPv4MappedToIPv6 ? destination.Address.MapToIPv4() : destination.Address;
        var local = IPAddress.IsLoopback(address) || address.Equals(podIp) || address.Equals(IPAddress.Any);
        return local && destination.Port is MeshPorts.Outbound or MeshPorts.Inbound or MeshPorts.Hbone;
    }
}
