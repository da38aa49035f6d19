using Mesh.Core.Hbone;
using Mesh.Core.Hbone.Http2;
using Mesh.Ztunnel.Limits;
using Mesh.Ztunnel.Metrics;

namespace Mesh.Ztunnel.Host;

/// <summary>The HBONE server's and client's settings that carry <see cref="ProxyLimits"/>, from the tunnels' HTTP/2 windows.</summary>
public static class HboneLimits
{
    /// <summary>Inbound (15008): handshakes in progress and their timeout, streams per connection (refusals reported), idle connections closed.</summary>
    public static HboneServerOptions Server(ProxyLimits limits, Http2Options windows, RefusalReporter refusals) => new()
    {
        HandshakeTimeout = limits.HandshakeTimeout,
        MaxHandshakes = limits.MaxHandshakes,
        Http2 = windows with
        {
            MaxConcurrentStreams = limits.MaxStreamsPerConnection,
            IdleTimeout = limits.ConnectionIdleTimeout,
            StreamRefused = () => refusals.Refused(RefusalReason.StreamLimit, "node", null, "REFUSED_STREAM"),
        },
    };

    /// <summary>Outbound: the connect timeout (TCP + TLS + SETTINGS) and the pool's idle timeout.</summary>
    public static HboneClientOptions Client(ProxyLimits limits, Http2Options windows, HboneSocketFactory sockets) => new()
    {
        ConnectTimeout = limits.ConnectTimeout,
        IdleTimeout = limits.ConnectionIdleTimeout,
        SocketFactory = sockets,
        Http2 = windows,
    };
}
