namespace Mesh.Ztunnel.Outbound;

/// <summary>Why an outbound connection has no route. Reported once at the edge (one log line, one metric label).</summary>
public enum OutboundFailure
{
    None,
    /// <summary>The destination is a service with no endpoint that has an address.</summary>
    NoHealthyEndpoints,
    /// <summary>The destination is a service that does not declare the port the application connected to.</summary>
    ServicePortNotFound,
    /// <summary>The destination uses a waypoint the state does not know, or that has no reachable address.</summary>
    WaypointUnavailable,
}
