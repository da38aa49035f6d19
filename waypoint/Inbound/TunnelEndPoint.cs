using System.Net;

namespace Mesh.Waypoint.Inbound;

/// <summary>The in-memory endpoint Kestrel "listens" on for HTTP/1.1 carried inside HBONE tunnels (see <see cref="TunnelListenerFactory"/>).</summary>
public sealed class TunnelEndPoint : EndPoint
{
    public override string ToString() => "hbone-tunnels";
}
