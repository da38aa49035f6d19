using System.Net;
using Mesh.Core.Identity;
using Mesh.Core.Model;
using Mesh.Ztunnel.Limits;

namespace Mesh.Ztunnel.Outbound;

/// <summary>
/// The decision for one captured outbound connection, made by <see cref="OutboundPlanner"/> from the mesh state
/// alone; the I/O that carries it out (HBONE client, plain TCP) is separate. A closed set: <see cref="Hbone"/>,
/// <see cref="Passthrough"/> or <see cref="Refused"/>, each with exactly its fields. Endpoints are the typed values
/// read from the capture map and dialled as they are (IPv4-mapped IPv6 folded to IPv4 by the planner).
/// </summary>
public abstract record OutboundPlan
{
    private OutboundPlan()
    {
    }

    /// <summary>What the application asked for: a service VIP or a pod address, with its port.</summary>
    public required IPEndPoint OriginalDestination { get; init; }

    /// <summary>The application that opened the connection.</summary>
    public required Workload Source { get; init; }

    /// <summary>The source's identity: the client certificate of an HBONE tunnel.</summary>
    public SpiffeId SourceIdentity => Source.Identity;

    /// <summary>The pod the bytes end up at, when known (a waypoint picks it later, so null through a waypoint for a service).</summary>
    public Workload? DestinationWorkload { get; init; }

    /// <summary>The service the application addressed, if it addressed one.</summary>
    public Service? DestinationService { get; init; }

    /// <summary>
    /// HTTP/2 CONNECT over mutual TLS to <see cref="Dial"/> (a pod's or waypoint's ip:15008), whose certificate must
    /// carry <see cref="ExpectedIdentity"/>, for <see cref="Target"/>.
    /// </summary>
    public sealed record Hbone : OutboundPlan
    {
        /// <summary>The HBONE listener to connect to: the endpoint's or the waypoint's ip:15008.</summary>
        public required IPEndPoint Dial { get; init; }

        /// <summary>
        /// The CONNECT's target (its <c>:authority</c>): the chosen endpoint's ip:targetPort when going straight to a
        /// pod of a service, the original ip:port to a pod or through a waypoint (the waypoint routes on it).
        /// </summary>
        public required IPEndPoint Target { get; init; }

        /// <summary>The SPIFFE identity the peer of the TLS connection must present.</summary>
        public required SpiffeId ExpectedIdentity { get; init; }

        /// <summary>
        /// The pod this ztunnel connects to (the service endpoint, the addressed pod or the waypoint pod), whose
        /// outstanding connection count (<see cref="OutstandingConnections"/>) the connection holds; null when unknown.
        /// </summary>
        public Workload? Endpoint { get; init; }

        /// <summary>The waypoint the tunnel goes through, if any.</summary>
        public Waypoint? Waypoint { get; init; }
    }

    /// <summary>Plain TCP to <see cref="Dial"/>: the destination is not in the mesh (or not captured).</summary>
    public sealed record Passthrough : OutboundPlan
    {
        /// <summary>The original destination, or an uncaptured service endpoint's ip:targetPort.</summary>
        public required IPEndPoint Dial { get; init; }

        /// <summary>The uncaptured pod dialled, when the mesh knows it (its outstanding count is held).</summary>
        public Workload? Endpoint { get; init; }
    }

    /// <summary>The connection cannot be served: it is reset and reported once with <see cref="Reason"/>.</summary>
    public sealed record Refused : OutboundPlan
    {
        /// <summary><see cref="RefusalReason.ServicePortNotFound"/>, <see cref="RefusalReason.NoHealthyEndpoints"/> or <see cref="RefusalReason.WaypointUnavailable"/>.</summary>
        public required RefusalReason Reason { get; init; }

        /// <summary>What was missing, for the log line (the service or waypoint by name).</summary>
        public required string Detail { get; init; }
    }
}
