namespace Mesh.Ztunnel.Limits;

/// <summary>Label values of <see cref="RefusalReason"/>.</summary>
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
        _ => "none",
    };
}
