using Mesh.Waypoint.Routing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Yarp.ReverseProxy.Forwarder;

namespace Mesh.Waypoint.Forwarding;

/// <summary>
/// YARP's transformer for one attempt: headers are copied by <see cref="HttpTransformer"/>'s defaults (hop-by-hop
/// removed, <c>Host</c> and <c>Expect</c> kept, <c>te: trailers</c> kept for HTTP/2, response headers and trailers
/// copied back); the request target is the client's raw target on the chosen endpoint, and the endpoint rides on
/// the message for <see cref="BackendConnector"/>. When the response headers arrive <paramref name="headersArrived"/>
/// runs with the time the attempt spent opening its connection, if it opened one (the per-attempt timeout stops, the
/// balancer takes the latency without it) and <paramref name="retryStatus"/> decides: true withholds the response
/// (nothing reaches the client, YARP drops it) so that the caller can retry. With <paramref name="retryGrpc"/> (a route
/// retrying gRPC codes) a gRPC response's <c>grpc-status</c> is read first (<see cref="GrpcResponseStatus"/>: from a
/// trailers-only answer's headers, else from the trailers after buffering the small body) and decides the same way.
/// </summary>
public sealed class AttemptTransformer(BackendEndpoint endpoint, Action<TimeSpan> headersArrived, Func<int, bool> retryStatus,
    Func<int, bool>? retryGrpc = null) : HttpTransformer
{
    /// <summary>The status of the response headers received, or null when none arrived.</summary>
    public int? ResponseStatus { get; private set; }

    /// <summary>The grpc-status read for a route retrying gRPC codes (null when not read).</summary>
    public int? GrpcStatus { get; private set; }

    /// <summary>The response arrived and was withheld for a retry.</summary>
    public bool Withheld { get; private set; }

    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix,
        CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
        proxyRequest.RequestUri = new Uri(destinationPrefix + Target(httpContext));
        proxyRequest.Options.Set(BackendConnector.EndpointKey, endpoint);
    }

    /// <summary>The request target sent upstream: the client's raw target (a URL rewrite replaces it), else path and query.</summary>
    public static string Target(HttpContext httpContext) =>
        httpContext.Features.Get<IHttpRequestFeature>()?.RawTarget is { Length: > 0 } raw && raw[0] == '/'
            ? raw
            : httpContext.Request.Path.ToUriComponent() + httpContext.Request.QueryString.ToUriComponent();

    public override async ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        if (proxyResponse is null)
        {
            return false;
        }
        headersArrived(proxyResponse.RequestMessage?.Options.TryGetValue(BackendConnector.ConnectTimeKey, out var connect) == true ? connect : TimeSpan.Zero);
        ResponseStatus = (int)proxyResponse.StatusCode;
        if (retryStatus(ResponseStatus.Value))
        {
            Withheld = true;
            return false;
        }
        if (retryGrpc is not null && (GrpcStatus = await GrpcResponseStatus.ReadAsync(proxyResponse, cancellationToken)) is { } grpc && retryGrpc(grpc))
        {
            Withheld = true;
            return false;
        }
        return await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
    }
}
