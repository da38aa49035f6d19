using System.Net;
using Mesh.Core.Identity;

namespace Mesh.Core.Hbone;

/// <summary>
/// One outbound tunnel: from the workload whose credential is <see cref="Source"/>, to <see cref="Target"/>
/// (the original destination ip:port, sent as :authority) through the HBONE listener at
/// <see cref="HboneAddress"/> (the destination pod's ip:15008, or a waypoint's), whose certificate must carry
/// <see cref="DestinationIdentity"/>.
/// </summary>
public sealed record HboneConnectRequest(
    HboneCredential Source,
    SpiffeId DestinationIdentity,
    IPEndPoint HboneAddress,
    IPEndPoint Target)
{
    /// <summary>The source workload's address, when connections must come from it (part of the pool key).</summary>
    public IPAddress? SourceAddress { get; init; }
}
