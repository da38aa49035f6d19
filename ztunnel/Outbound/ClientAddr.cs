using System.Net;

namespace Mesh.Ztunnel.Outbound;

/// <summary>The address of the application socket that opened a captured connection (the pod's ip:ephemeral port).</summary>
public readonly record struct ClientAddr(IPAddress Address, int Port)
{
    public static ClientAddr From(IPEndPoint endPoint) => new(endPoint.Address, endPoint.Port);

    public IPEndPoint ToEndPoint() => new(Address, Port);

    public override string ToString() => AddressFormat.HostPort(Address, Port);
}
