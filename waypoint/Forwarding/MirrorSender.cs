using System.Net;
using Mesh.Waypoint.Routing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Mesh.Waypoint.Forwarding;

/// <summary>
/// RequestMirror: a copy of the request as it leaves for the backend (filters applied; the body when it was small
/// enough to buffer, see <see cref="RequestBodyBuffer"/>) goes to one endpoint of each mirror service, chosen at random,
/// over the same upstream client. Fire and forget: the copy is sent on its own task with its own timeout, its answer is
/// read and dropped, and nothing about it (failure, slowness, status) reaches the client or the primary's metrics; a
/// mirror that fails is logged at Debug. A request whose body could not be buffered is not mirrored.
/// </summary>
public sealed partial class MirrorSender(HttpMessageInvoker upstream, ILogger<MirrorSender> logger)
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private static readonly HashSet<string> NotCopied = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Proxy-Connection", "Transfer-Encoding", "Upgrade", "TE", "Host", "Expect",
    };

    /// <param name="body">The buffered request body; null when the request has a body that was not buffered.</param>
    public void Send(HttpContext ctx, RoutePlan plan, byte[]? body)
    {
        var http2 = HttpProtocol.IsHttp2(ctx.Request.Protocol);
        var target = AttemptTransformer.Target(ctx);
        var method = ctx.Request.Method;
        var headers = ctx.Request.Headers.Where(h => h.Key[0] != ':' && !NotCopied.Contains(h.Key)).Select(h => (h.Key, h.Value.ToArray())).ToArray();
        var host = ctx.Request.Headers.Host.ToString();
        var trailers = ctx.Request.Headers.TE.ToString().Contains("trailers", StringComparison.OrdinalIgnoreCase);
        foreach (var mirror in plan.Mirrors)
        {
            if (body is null)
            {
                Log.NotMirrored(logger, mirror.Service.Key.ToString(), "the request body is too large to copy");
                continue;
            }
            if (mirror.Endpoints.IsEmpty)
            {
                Log.NotMirrored(logger, mirror.Service.Key.ToString(), "no endpoints");
                continue;
            }
            var endpoint = mirror.Endpoints[Random.Shared.Next(mirror.Endpoints.Length)];
            var request = new HttpRequestMessage(new HttpMethod(method), new Uri($"http://{endpoint.Address}{target}"))
            {
                Version = http2 ? HttpVersion.Version20 : HttpVersion.Version11,
                VersionPolicy = HttpVersionPolicy.RequestVersionExact,
                Content = body.Length > 0 || method is "POST" or "PUT" or "PATCH" ? new ByteArrayContent(body) : null,
            };
            foreach (var (name, values) in headers)
            {
                if (!request.Headers.TryAddWithoutValidation(name, values))
                {
                    request.Content?.Headers.TryAddWithoutValidation(name, values);
                }
            }
            if (host.Length > 0)
            {
                request.Headers.Host = host;
            }
            if (http2 && trailers)
            {
                // gRPC servers expect it; it is the one TE value HTTP/2 allows.
                request.Headers.TE.ParseAdd("trailers");
            }
            request.Options.Set(BackendConnector.EndpointKey, endpoint);
            _ = SendAsync(request, mirror.Service.Key.ToString());
        }
    }

    private async Task SendAsync(HttpRequestMessage request, string service)
    {
        // Off the request's own path: the caller has returned before the copy is even sent.
        await Task.Yield();
        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            using (request)
            using (var response = await upstream.SendAsync(request, timeout.Token))
            {
                await response.Content.CopyToAsync(Stream.Null, timeout.Token);
            }
        }
        catch (Exception e)
        {
            Log.MirrorFailed(logger, service, e.Message);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(6270, LogLevel.Debug, "mirror: copy to {Service} failed: {Detail}")]
        public static partial void MirrorFailed(ILogger logger, string service, string detail);

        [LoggerMessage(6271, LogLevel.Debug, "mirror: copy to {Service} not sent: {Reason}")]
        public static partial void NotMirrored(ILogger logger, string service, string reason);
    }
}
