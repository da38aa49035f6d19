namespace Mesh.Ztunnel.Limits;

/// <summary>Why ztunnel refused or reset a connection it was asked to carry: the <c>reason</c> label of the refusal metric.</summary>
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

    /// <summary>The dial did not complete within <see cref="ProxyLimits.ConnectTimeout"/>.</summary>
    ConnectTimeout,

    /// <summary>The destination refused the dial (nothing listens on the port) or was unreachable.</summary>
    ConnectRefused,

    /// <summary>The client went away (FIN, RST or RST_STREAM) while ztunnel was dialling for it; the dial was cancelled.</summary>
    ClientLeft,
}
