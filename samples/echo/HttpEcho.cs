using System.Globalization;
using System.Text.Json;
using Mesh.Core.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Mesh.Samples.Echo;

/// <summary>
/// HTTP/1.1 and h2c (prior knowledge) on one port. Each request may set <c>latency_ms</c>, <c>status</c>,
/// <c>size</c> (exact response body bytes) and <c>fail_rate</c> (0..1, answers 503); the body is one JSON line
/// naming the pod, the request (with the body's length and SHA-256) and the peer address the server saw.
/// <c>GET /_echo/stats</c> answers the requests served so far and how many of them were answered 503 by
/// <c>fail_rate</c> (<c>{"requests":N,"failed":M}</c>; itself not counted), so tests count load at the backend. The
/// body's <c>requestHeaders</c> are the headers the server received (names lowercased, values joined with ", ");
/// gRPC calls (<c>application/grpc</c>) are answered by <see cref="GrpcEcho"/>.
/// </summary>
internal static class HttpEcho
{
    public const string StatsPath = "/_echo/stats";

    private static long _requests;
    private static long _failed;

    /// <summary>Counts a request answered as a failure on purpose (fail_rate, or gRPC UNAVAILABLE).</summary>
    public static void CountFailure() => Interlocked.Increment(ref _failed);

    public static async Task<int> RunAsync(EchoOptions o, CancellationToken ct)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            // Tests send 1 GiB bodies through the mesh: no body size limit, no minimum data rate.
            k.Limits.MaxRequestBodySize = null;
            k.Limits.MinRequestBodyDataRate = null;
            k.AllowAlternateSchemes = true;
            k.Listen(o.Listen, o.Port, l =>
            {
                l.Protocols = HttpProtocols.Http1AndHttp2;
                l.Use(H2cDetection.Middleware);
            });
        });
        var app = builder.Build();
        app.Run(ctx => HandleAsync(ctx, o));
        await app.StartAsync(ct);
        Console.WriteLine($"echo: {o.PodName} listening on {o.Listen}:{o.Port} (http/1.1 + h2c)");
        try
        {
            await Task.Delay(Timeout.Infinite, ct);
        }
        catch (OperationCanceledException)
        {
        }
        await app.StopAsync(CancellationToken.None);
        return 0;
    }

    private static async Task HandleAsync(HttpContext ctx, EchoOptions o)
    {
        if (ctx.Request.Path == StatsPath)
        {
            ctx.Response.ContentType = "application/json";
            await ctx.Response.WriteAsync($"{{\"requests\":{Interlocked.Read(ref _requests)},\"failed\":{Interlocked.Read(ref _failed)}}}\n", ctx.RequestAborted);
            return;
        }
        Interlocked.Increment(ref _requests);
        if (GrpcStatusCodes.IsGrpc(ctx.Request.ContentType))
        {
            await GrpcEcho.HandleAsync(ctx, o);
            return;
        }
        var q = ctx.Request.Query;
        var latency = Int(q["latency_ms"], o.LatencyMs);
        var status = Int(q["status"], o.Status);
        var size = q.ContainsKey("size") ? Int(q["size"], 0) : o.Size;
        var failRate = q.TryGetValue("fail_rate", out var fr) && double.TryParse(fr, NumberStyles.Float, CultureInfo.InvariantCulture, out var f) ? f : o.FailRate;

        long bodyBytes = 0;
        var buffer = new byte[64 * 1024];
        int n;
        using var sha = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        while ((n = await ctx.Request.Body.ReadAsync(buffer, ctx.RequestAborted)) > 0)
        {
            bodyBytes += n;
            sha.AppendData(buffer, 0, n);
        }
        var bodySha256 = Convert.ToHexStringLower(sha.GetHashAndReset());
        if (latency > 0)
        {
            await Task.Delay(latency, ctx.RequestAborted);
        }
        if (failRate > 0 && Random.Shared.NextDouble() < failRate)
        {
            status = 503;
            Interlocked.Increment(ref _failed);
        }
        var peer = $"{ctx.Connection.RemoteIpAddress}:{ctx.Connection.RemotePort}";
        var body = Body(o.PodName, ctx, status, bodyBytes, bodySha256, peer, size);
        ctx.Response.StatusCode = status is >= 100 and <= 599 ? status : 500;
        ctx.Response.ContentType = "application/json";
        ctx.Response.ContentLength = body.Length;
        ctx.Response.Headers["x-echo-pod"] = o.PodName;
        await ctx.Response.Body.WriteAsync(body, ctx.RequestAborted);
        if (!o.Quiet)
        {
            Console.WriteLine($"echo: {o.PodName} {ctx.Request.Protocol} {ctx.Request.Method} {ctx.Request.Path}{ctx.Request.QueryString} from {peer} -> {status} {body.Length}B");
        }
    }

    private static byte[] Body(string pod, HttpContext ctx, int status, long bodyBytes, string bodySha256, string peer, int? size)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            w.WriteString("pod", pod);
            w.WriteString("method", ctx.Request.Method);
            w.WriteString("path", ctx.Request.Path.Value);
            w.WriteString("query", ctx.Request.QueryString.Value);
            w.WriteString("protocol", ctx.Request.Protocol);
            w.WriteNumber("headers", ctx.Request.Headers.Count);
            w.WriteStartObject("requestHeaders");
            foreach (var (name, value) in ctx.Request.Headers.OrderBy(h => h.Key, StringComparer.OrdinalIgnoreCase))
            {
                w.WriteString(name.ToLowerInvariant(), string.Join(", ", value.ToArray()));
            }
            w.WriteEndObject();
            w.WriteNumber("bodyBytes", bodyBytes);
            w.WriteString("bodySha256", bodySha256);
            w.WriteString("peer", peer);
            w.WriteString("local", $"{ctx.Connection.LocalIpAddress}:{ctx.Connection.LocalPort}");
            w.WriteNumber("status", status);
            w.WriteEndObject();
        }
        ms.WriteByte((byte)'\n');
        var json = ms.ToArray();
        if (size is not int want)
        {
            return json;
        }
        var result = new byte[want];
        var copy = Math.Min(want, json.Length);
        Array.Copy(json, result, copy);
        Array.Fill(result, (byte)'.', copy, want - copy);
        if (want > copy)
        {
            result[^1] = (byte)'\n';
        }
        return result;
    }

    private static int Int(Microsoft.Extensions.Primitives.StringValues v, int fallback) =>
        int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) ? i : fallback;
}
