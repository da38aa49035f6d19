namespace Mesh.Ztunnel.Outbound;

/// <summary>How a captured outbound connection leaves the node.</summary>
public enum OutboundKind
{
    /// <summary>HTTP/2 CONNECT over mutual TLS to a pod's (or waypoint's) port 15008.</summary>
    Hbone,
    /// <summary>Plain TCP to the destination, which is not in the mesh.</summary>
    Passthrough,
    /// <summary>The connection cannot be served; <see cref="OutboundPlan.Failure"/> says why.</summary>
    Fail,
}
