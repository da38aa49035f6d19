using System.Diagnostics;

namespace Mesh.Waypoint.Forwarding;

/// <summary>
/// The upstream client YARP sends with: SocketsHttpHandler over <see cref="BackendConnector"/>, no proxy, redirects,
/// cookies, decompression or trace headers of its own. <c>Expect: 100-continue</c> goes end to end: the backend's
/// 100 (or its final answer) decides whether the client's body is asked for; only a backend silent for
/// <see cref="Expect100ContinueTimeout"/> gets the body unasked (a server that ignores the expectation). The trace
/// context an attempt sends is set by <see cref="Tracing.TraceContextHandler"/> (the client span's, or the caller's untouched).
/// </summary>
public static class UpstreamClient
{
    public static readonly TimeSpan Expect100ContinueTimeout = TimeSpan.FromSeconds(10);

    public static HttpMessageInvoker Create(BackendConnector connector) => new(new Tracing.TraceContextHandler(new SocketsHttpHandler
    {
        ConnectCallback = connector.ConnectAsync,
        UseProxy = false,
        AllowAutoRedirect = false,
        UseCookies = false,
        AutomaticDecompression = System.Net.DecompressionMethods.None,
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(60),
        ConnectTimeout = TimeSpan.FromSeconds(10),
        Expect100ContinueTimeout = Expect100ContinueTimeout,
        ActivityHeadersPropagator = DistributedContextPropagator.CreateNoOutputPropagator(),
    }), disposeHandler: true);
}
