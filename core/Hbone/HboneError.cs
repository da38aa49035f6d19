namespace Mesh.Core.Hbone;

/// <summary>Why an HBONE tunnel was not established (reported once at the edge: a log line and a metric label).</summary>
public enum HboneError
{
    None,

    /// <summary>TCP connect to the destination's 15008 failed (refused or unreachable).</summary>
    ConnectFailed,

    /// <summary>Client: the TCP connect, the TLS handshake and the peer's SETTINGS did not finish within <see cref="HboneClientOptions.ConnectTimeout"/>.</summary>
    ConnectTimeout,

    /// <summary>The TLS handshake failed (protocol, ALPN, or the peer closed during setup, e.g. it rejected our certificate).</summary>
    TlsFailed,

    /// <summary>The peer's certificate is missing, expired or does not chain to the trust bundle.</summary>
    PeerUntrusted,

    /// <summary>The peer's certificate is valid but carries another SPIFFE identity than expected.</summary>
    PeerIdentityMismatch,

    /// <summary>The peer answered the CONNECT with a non-2xx status (see the status).</summary>
    Refused,

    /// <summary>The peer reset the stream.</summary>
    Reset,

    /// <summary>The HTTP/2 connection failed or closed while the tunnel was being set up.</summary>
    ConnectionLost,

    /// <summary>Server: refused before the TLS handshake, because <see cref="HboneServerOptions.MaxHandshakes"/> are in progress.</summary>
    HandshakeLimit,

    /// <summary>Server: the TLS handshake or the client's preface and SETTINGS took longer than the handshake timeout.</summary>
    HandshakeTimeout,

    /// <summary>Server: the admission check refused the verified peer (e.g. it holds too many connections).</summary>
    PeerLimit,

    /// <summary>Server: this side had no certificate to serve the connection with (the workload is unknown or the CA failed).</summary>
    NoCredential,

    /// <summary>Server: the peer reset streams faster than allowed and got GOAWAY ENHANCE_YOUR_CALM.</summary>
    RapidReset,
}
