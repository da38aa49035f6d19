using Mesh.Core.Identity;
using Mesh.Core.Model;

namespace Mesh.Ztunnel.Outbound;

/// <summary>
/// The decision for one captured outbound connection, made by <see cref="OutboundPlanner"/> from the mesh state
/// alone. The I/O that carries it out (HBONE client, plain TCP) is separate.
/// </summary>
public sealed record OutboundPlan
{
    public required OutboundKind Kind { get; init; }
    public OutboundFailure Failure { get; init; } = OutboundFailure.None;

    /// <summary>What the application asked for.</summary>
    public required OrigDstAddr OriginalDestination { get; init; }

    /// <summary>Where to connect: a pod's or waypoint's ip:15008 (HBONE), or the plain destination (passthrough). Null on failure.</summary>
    public DialAddr? Dial { get; init; }

    /// <summary>
    /// The HTTP/2 <c>:authority</c> of the CONNECT (HBONE only): the chosen endpoint's ip:targetPort when going
    /// straight to a pod, the original ip:port when going through a waypoint (the waypoint routes on it).
    /// </summary>
    public string? Authority { get; init; }

    /// <summary>The SPIFFE identity the peer of the TLS connection must present (HBONE only).</summary>
    public SpiffeId? ExpectedIdentity { get; init; }

    /// <summary>The identity of the application that opened the connection (the client certificate to use).</summary>
    public required SpiffeId SourceIdentity { get; init; }

    public required Workload Source { get; init; }

    /// <summary>The pod the bytes end up at, when known (a waypoint picks it later, so null through a waypoint for a service).</summary>
    public Workload? DestinationWorkload { get; init; }

    /// <summary>The service the application addressed, if it addressed one.</summary>
    public Service? DestinationService { get; init; }

    /// <summary>
    /// The pod this ztunnel connects to (the service endpoint, the addressed pod or the waypoint pod), whose outstanding
    /// connection count (<see cref="OutstandingConnections"/>) the connection holds while it lasts; null when unknown.
    /// </summary>
    public Workload? Endpoint { get; init; }

    /// <summary>The waypoint the connection goes through, if any.</summary>
    public Waypoint? Waypoint { get; init; }

    public bool IsMutualTls => Kind == OutboundKind.Hbone;
}
