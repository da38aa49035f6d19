namespace Mesh.Ztunnel.Limits;

/// <summary>
/// Why ztunnel refused or reset a connection it was asked to carry: ztunnel's one error type on the data path, reported
/// once at the edge by <see cref="Metrics.RefusalReporter"/> (the <c>reason</c> label of the refusal metric and one log
/// line per burst). Labels in <see cref="RefusalReasons"/>.
/// </summary>
public enum RefusalReason
{
    None,

    /// <summary>The node's connection budget (sized from the descriptor limit) is spent.</summary>
    NodeLimit,

    /// <summary>The pod has <see cref="ProxyLimits.MaxConnectionsPerPod"/> connections open.</summary>
    PodLimit,

    /// <summary>The peer identity has <see cref="ProxyLimits.MaxConnectionsPerPeer"/> HBONE connections and tunnels open.</summary>
    PeerLimit,

    /// <summary><see cref="ProxyLimits.MaxHandshakes"/> TLS handshakes are in progress.</summary>
    HandshakeLimit,

    /// <summary>The TLS handshake (or the client's SETTINGS) took longer than <see cref="ProxyLimits.HandshakeTimeout"/>.</summary>
    HandshakeTimeout,

    /// <summary>A stream beyond <see cref="ProxyLimits.MaxStreamsPerConnection"/> was refused with REFUSED_STREAM.</summary>
    StreamLimit,

    /// <summary>The peer reset streams faster than allowed and got GOAWAY ENHANCE_YOUR_CALM.</summary>
    RapidReset,

    /// <summary>The dial did not complete within <see cref="ProxyLimits.ConnectTimeout"/>, or the HBONE client's connection (TCP, TLS, SETTINGS) within its connect timeout.</summary>
    ConnectTimeout,

    /// <summary>The destination refused the dial (nothing listens on the port) or was unreachable (also the HBONE client's TCP connect).</summary>
    ConnectRefused,

    /// <summary>The client went away (FIN, RST or RST_STREAM) while ztunnel was dialling for it; the dial was cancelled.</summary>
    ClientLeft,

    /// <summary>Accepted on 15001 but the BPF map has no original destination for the client.</summary>
    NoOriginalDestination,

    /// <summary>The destination is ztunnel's own listener in the pod: carrying it would loop.</summary>
    Loop,

    /// <summary>The control plane has not sent the enrolled pod the connection is for (yet): no identity, no policy to apply.</summary>
    UnknownPod,

    /// <summary>The destination is a service with no endpoint that has an address.</summary>
    NoHealthyEndpoints,

    /// <summary>The destination is a service that does not declare the port the application connected to.</summary>
    ServicePortNotFound,

    /// <summary>The destination uses a waypoint the state does not know, or that has no reachable address.</summary>
    WaypointUnavailable,

    /// <summary>No certificate for the identity the connection needs (the CA failed or the pod is not known to it).</summary>
    NoCertificate,

    /// <summary>The TLS handshake failed (protocol, ALPN, or the peer closed during setup, e.g. it rejected our certificate).</summary>
    TlsFailed,

    /// <summary>The peer's certificate is missing, expired or does not chain to the trust bundle.</summary>
    PeerUntrusted,

    /// <summary>The peer's certificate is valid but carries another SPIFFE identity than the plan expects.</summary>
    PeerIdentityMismatch,

    /// <summary>The HBONE peer answered the CONNECT with a non-2xx status (the status is in the detail).</summary>
    TunnelRefused,

    /// <summary>The HBONE peer reset the CONNECT stream.</summary>
    TunnelReset,

    /// <summary>The HTTP/2 connection failed or closed while the tunnel was being set up.</summary>
    ConnectionLost,

    /// <summary>An inbound CONNECT's target is not the pod it arrived at.</summary>
    NotThisPod,

    /// <summary>L4 authorization policy (or STRICT mTLS) denies the connection.</summary>
    PolicyDenied,
}
