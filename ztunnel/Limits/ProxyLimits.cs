namespace Mesh.Ztunnel.Limits;

/// <summary>
/// Bounds on what a client can make ztunnel hold (connections, streams, handshakes, time). Near any of them new
/// connections are refused (reset), counted in <c>mesh_ztunnel_refused_connections_total{reason}</c> and logged once
/// per burst; ztunnel itself never runs out of descriptors or memory.
/// </summary>
public sealed record ProxyLimits
{
    /// <summary>Every dial ztunnel makes (to an app, a passthrough destination or a peer's 15008): TCP connect, and for HBONE TLS + SETTINGS.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Inbound HBONE: TLS handshake plus the client's preface and SETTINGS.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>TLS handshakes in progress on the node's HBONE listeners; more are reset before TLS.</summary>
    public int MaxHandshakes { get; init; } = 128;

    /// <summary>Connections at once through one pod: accepted on its 15001/15006/15008 listeners plus the tunnels into it.</summary>
    public int MaxConnectionsPerPod { get; init; } = 4096;

    /// <summary>Inbound HBONE connections plus tunnels at once from one peer identity, over all pods of the node.</summary>
    public int MaxConnectionsPerPeer { get; init; } = 1024;

    /// <summary>Connections at once on the node; the effective value is also capped by the descriptor limit (<see cref="NodeLimit"/>).</summary>
    public int MaxConnections { get; init; } = 65536;

    /// <summary>SETTINGS_MAX_CONCURRENT_STREAMS of inbound HBONE connections (more are refused with REFUSED_STREAM).</summary>
    public int MaxStreamsPerConnection { get; init; } = 100;

    /// <summary>An HBONE connection with no open stream for this long is closed (GOAWAY), both roles.</summary>
    public TimeSpan ConnectionIdleTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>A proxied connection or tunnel with no byte either way for this long is reset; zero disables it.</summary>
    public TimeSpan StreamIdleTimeout { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Descriptors kept free for listeners, BPF links, logs and the runtime when sizing <see cref="NodeLimit"/>.</summary>
    public int FdReserve { get; init; } = 1024;

    /// <summary>
    /// The node-wide connection cap in force for a descriptor limit of <paramref name="fdLimit"/>: each proxied
    /// connection holds up to two descriptors (the accepted socket and the dial), and <see cref="FdReserve"/> (at most a
    /// quarter of a small limit: containerd's default of 1024 left a single connection) plus a tenth of the limit stay
    /// free for everything else.
    /// </summary>
    public int NodeLimit(ulong fdLimit)
    {
        var limit = (long)Math.Min(fdLimit, int.MaxValue);
        var usable = limit - Math.Min(FdReserve, limit / 4) - (limit / 10);
        return (int)Math.Clamp(usable / 2, 1, MaxConnections);
    }

    /// <summary>Below this many connections at once the descriptor limit is worth a warning at start.</summary>
    public const int LowNodeLimit = 4096;
}
