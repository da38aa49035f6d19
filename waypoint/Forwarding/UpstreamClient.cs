using System.Diagnostics;

namespace Mesh.Waypoint.Forwarding;

/// <summary>The upstream HTTP/1.1 client: SocketsHttpHandler over <see cref="BackendConnector"/>, no proxy, redirects, cookies, decompression or trace headers of its own.</summary>
public static class UpstreamClient
{
    public static HttpMessageInvoker Create(BackendConnector connector) => new(new SocketsHttpHandler
    {
        ConnectCallback = connector.ConnectAsync,
        UseProxy = false,
        AllowAutoRedirect = false,
        UseCookies = false,
        AutomaticDecompression = System.Net.DecompressionMethods.None,
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(60),
        ConnectTimeout = TimeSpan.FromSeconds(10),
        ActivityHeadersPropagator = DistributedContextPropagator.CreateNoOutputPropagator(),
    }, disposeHandler: true);
}
