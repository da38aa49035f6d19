using System.Net;

namespace Mesh.Ztunnel.Outbound;

/// <summary>The address ztunnel connects to: a pod's HBONE port, a waypoint's HBONE port, or the original destination.</summary>
public readonly record struct DialAddr(IPAddress Address, int Port)
{
    public IPEndPoint ToEndPoint() => new(Address, Port);

    public override string ToString() => AddressFormat.HostPort(Address, Port);
}
