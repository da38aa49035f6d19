using System.Net;
using Mesh.Ztunnel.Redirection;

namespace Mesh.Ztunnel.Proxy;

/// <summary>Pure checks on captured connections before ztunnel dials anything.</summary>
public static class CaptureGuard
{
    /// <summary>Decides whether an outbound connection to <paramref name="originalDestination"/> may be carried.</summary>
    public static CaptureRefusal CheckOutbound(IPAddress podIp, IPEndPoint? originalDestination)
    {
        if (originalDestination is null)
        {
            return CaptureRefusal.NoOriginalDestination;
        }
        return IsOwnListener(podIp, originalDestination) ? CaptureRefusal.Loop : CaptureRefusal.None;
    }

    /// <summary>
    /// Decides whether a connection accepted on 15006 (whose local endpoint is the original
    /// destination) may be forwarded to the app.
    /// </summary>
    public static CaptureRefusal CheckInbound(IPAddress podIp, IPEndPoint originalDestination) =>
        IsOwnListener(podIp, originalDestination) ? CaptureRefusal.Loop : CaptureRefusal.None;

    private static bool IsOwnListener(IPAddress podIp, IPEndPoint destination)
    {
        var address = destination.Address.IsIPv4MappedToIPv6 ? destination.Address.MapToIPv4() : destination.Address;
        var local = IPAddress.IsLoopback(address) || address.Equals(podIp) || address.Equals(IPAddress.Any);
        return local && destination.Port is MeshPorts.Outbound or MeshPorts.Inbound or MeshPorts.Hbone;
    }
}
