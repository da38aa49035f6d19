using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;

namespace Mesh.Waypoint.Forwarding;

/// <summary>Copies an HTTP request to the upstream message and the upstream response back, without hop-by-hop headers.</summary>
public static class MessageCopier
{
    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authenticate", "Proxy-Authorization", "TE", "Trailer",
        "Transfer-Encoding", "Upgrade", "Expect", "Host",
    };

    public static bool IsHopByHop(string name) => HopByHop.Contains(name);

    /// <summary>The upstream request to <paramref name="authority"/> (endpoint ip:port) with the client's method, target, headers and body.</summary>
    public static HttpRequestMessage ToUpstream(HttpContext ctx, string authority, HttpContent? body)
    {
        var target = ctx.Features.Get<IHttpRequestFeature>()?.RawTarget is { Length: > 0 } raw && raw[0] == '/'
            ? raw
            : ctx.Request.Path.ToUriComponent() + ctx.Request.QueryString.ToUriComponent();
        var http2 = HttpProtocol.IsHttp2(ctx.Request.Protocol);
        var message = new HttpRequestMessage(new HttpMethod(ctx.Request.Method), new Uri($"http://{authority}{target}"))
        {
            // The client's protocol is kept: h2c (prior knowledge) for HTTP/2, e.g. gRPC.
            Version = http2 ? System.Net.HttpVersion.Version20 : System.Net.HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = body,
        };
        foreach (var (name, values) in ctx.Request.Headers)
        {
            if (IsHopByHop(name) && !(http2 && name.Equals("TE", StringComparison.OrdinalIgnoreCase) && values == "trailers"))
            {
                continue;
            }
            if (name.StartsWith(':'))
            {
                continue;
            }
            if (!message.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values) && body is not null)
            {
                body.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }
        if (ctx.Request.Host.HasValue)
        {
            message.Headers.Host = ctx.Request.Host.Value;
        }
        return message;
    }

    /// <summary>The upstream response's trailers (gRPC status) onto the client's response, when its protocol carries them.</summary>
    public static void TrailersToClient(HttpResponseMessage upstream, HttpResponse response)
    {
        if (!response.SupportsTrailers())
        {
            return;
        }
        foreach (var (name, values) in upstream.TrailingHeaders)
        {
            response.AppendTrailer(name, new StringValues([.. values]));
        }
    }

    /// <summary>Status and headers of the upstream response onto the client's response (before the body).</summary>
    public static void ToClient(HttpResponseMessage upstream, HttpResponse response)
    {
        response.StatusCode = (int)upstream.StatusCode;
        foreach (var (name, values) in upstream.Headers)
        {
            if (!IsHopByHop(name))
            {
                response.Headers[name] = new StringValues([.. values]);
            }
        }
        foreach (var (name, values) in upstream.Content.Headers)
        {
            response.Headers[name] = new StringValues([.. values]);
        }
    }
}
