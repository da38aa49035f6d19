namespace Mesh.Core.Hbone.Http2;

/// <summary>
/// Settings of one HTTP/2 connection (both roles). Windows are large by default because a tunnel's
/// bulk throughput is bounded by window / round trip; memory is bounded by the same windows.
/// </summary>
public sealed record Http2Options
{
    /// <summary>
    /// The windows of the mesh's tunnels (ztunnel's HBONE client and server, the waypoint's HBONE client): 1 MiB per
    /// stream, 4 MiB per connection. What an unread tunnel can make a proxy hold is bounded by them; 452 MB/s single
    /// stream through two ztunnels on the bench. The waypoint's client had the defaults (4/16 MiB) and peaked at 81 MB
    /// during the bench's 64 MB HTTP downloads; with these, 51 MB.
    /// </summary>
    public static Http2Options Tunnel { get; } = new() { StreamWindowSize = 1024 * 1024, ConnectionWindowSize = 4 * 1024 * 1024 };

    /// <summary>SETTINGS_INITIAL_WINDOW_SIZE we advertise: bytes the peer may send on one stream before we read them.</summary>
    public int StreamWindowSize { get; init; } = 4 * 1024 * 1024;

    /// <summary>Connection receive window (sum over streams).</summary>
    public int ConnectionWindowSize { get; init; } = 16 * 1024 * 1024;

    /// <summary>SETTINGS_MAX_CONCURRENT_STREAMS we advertise (streams the peer may open).</summary>
    public int MaxConcurrentStreams { get; init; } = 1000;

    /// <summary>SETTINGS_MAX_FRAME_SIZE we advertise (largest frame payload we accept), 16384..16777215.</summary>
    public int MaxFrameSize { get; init; } = 16 * 1024;

    /// <summary>Largest DATA frame payload we send (also capped by the peer's SETTINGS_MAX_FRAME_SIZE).</summary>
    public int MaxSendFrameSize { get; init; } = 16 * 1024;

    /// <summary>SETTINGS_HEADER_TABLE_SIZE we advertise (our HPACK decoder's table).</summary>
    public int HeaderTableSize { get; init; } = 4096;

    /// <summary>SETTINGS_MAX_HEADER_LIST_SIZE we advertise and enforce.</summary>
    public int MaxHeaderListSize { get; init; } = 16 * 1024;

    /// <summary>Send a PING when this long passes; null disables keepalive.</summary>
    public TimeSpan? KeepAliveInterval { get; init; }

    /// <summary>A keepalive PING unanswered this long closes the connection.</summary>
    public TimeSpan KeepAliveTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// A connection with no open stream for this long is closed with GOAWAY (server role; the client pool sweeps its
    /// own). Null disables it.
    /// </summary>
    public TimeSpan? IdleTimeout { get; init; }

    /// <summary>Stream resets (RST_STREAM from the peer, or streams opened beyond our limit) the peer may send at once before GOAWAY ENHANCE_YOUR_CALM (<see cref="RapidResetDetector"/>).</summary>
    public int RapidResetBurst { get; init; } = 200;

    /// <summary>Rate at which the reset budget refills, per second.</summary>
    public double RapidResetPerSecond { get; init; } = 100;

    /// <summary>Called (on the reader loop) each time a peer's stream is refused with REFUSED_STREAM because <see cref="MaxConcurrentStreams"/> are open.</summary>
    public Action? StreamRefused { get; init; }

    /// <summary>How long a graceful shutdown waits for open streams before closing.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// After a GOAWAY for a connection error, how long the peer's further bytes are read and dropped before the
    /// transport closes (or less, when the peer closes first). Closing with bytes unread makes the kernel send RST,
    /// which can reach a peer that is still writing before it has read the GOAWAY.
    /// </summary>
    public TimeSpan ErrorLinger { get; init; } = TimeSpan.FromSeconds(2);

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
