using System.Net;

namespace Mesh.Ztunnel.Outbound;

/// <summary>The destination the application asked for (before capture rewrote it): a service VIP or a pod address.</summary>
public readonly record struct OrigDstAddr(IPAddress Address, int Port)
{
    public static OrigDstAddr From(IPEndPoint endPoint) => new(endPoint.Address, endPoint.Port);

    public IPEndPoint ToEndPoint() => new(Address, Port);

    /// <summary>"ip:port", IPv6 in brackets: the form used for an HTTP/2 <c>:authority</c>.</summary>
    public override string ToString() => AddressFormat.HostPort(Address, Port);
}
