namespace Mesh.Ztunnel.Limits;

/// <summary>Label values of <see cref="RefusalReason"/> (snake_case, one per reason).</summary>
public static class RefusalReasons
{
    public static string Label(this RefusalReason reason) => reason switch
    {
        RefusalReason.NodeLimit => "node_limit",
        RefusalReason.PodLimit => "pod_limit",
        RefusalReason.PeerLimit => "peer_limit",
        RefusalReason.HandshakeLimit => "handshake_limit",
        RefusalReason.HandshakeTimeout => "handshake_timeout",
        RefusalReason.StreamLimit => "stream_limit",
        RefusalReason.RapidReset => "rapid_reset",
        RefusalReason.ConnectTimeout => "connect_timeout",
        RefusalReason.ConnectRefused => "connect_refused",
        RefusalReason.ClientLeft => "client_left",
        RefusalReason.NoOriginalDestination => "no_original_destination",
        RefusalReason.Loop => "loop",
        RefusalReason.UnknownPod => "unknown_pod",
        RefusalReason.NoHealthyEndpoints => "no_healthy_endpoints",
        RefusalReason.ServicePortNotFound => "service_port_not_found",
        RefusalReason.WaypointUnavailable => "waypoint_unavailable",
        RefusalReason.NoCertificate => "no_certificate",
        RefusalReason.TlsFailed => "tls_failed",
        RefusalReason.PeerUntrusted => "peer_untrusted",
        RefusalReason.PeerIdentityMismatch => "peer_identity_mismatch",
        RefusalReason.TunnelRefused => "tunnel_refused",
        RefusalReason.TunnelReset => "tunnel_reset",
        RefusalReason.ConnectionLost => "connection_lost",
        RefusalReason.NotThisPod => "not_this_pod",
        RefusalReason.PolicyDenied => "policy_denied",
        _ => "none",
    };
}
