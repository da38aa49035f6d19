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
/// <c>fail_rate</c> (<c>{"requests":N,"failed":M}</c>; itself not counted), so tests count load at the backend.
/// <c>GET /_echo/config?latency_ms=N&amp;fail_rate=F&amp;fail_next=K</c> changes the process's defaults at runtime (any may
/// be left out; <c>fail_next</c> answers the next K requests 503) and answers the ones in force, so a test can slow a
/// backend down or make it fail while traffic flows. The body names the request's <c>traceparent</c> header, when it had
/// one, and the stats list the last 32 traceparents received (<c>"traceparents":[...]</c>). The body's
/// <c>requestHeaders</c> are the headers the server received (names lowercased, values joined with ", "); gRPC calls
/// (<c>application/grpc</c>) are answered by <see cref="GrpcEcho"/>.
/// </summary>
internal static class HttpEcho
{
    public const string StatsPath = "/_echo/stats";
    public const string ConfigPath = "/_echo/config";

    private static long _requests;
    private static long _failed;
    private static long _failNext;
    private static readonly System.Collections.Concurrent.ConcurrentQueue<string> Traceparents = new();

    /// <summary>The defaults in force (the flags', until <see cref="ConfigPath"/> changes them), swapped whole.</summary>
    private static volatile Defaults? _defaults;

    private sealed record Defaults(int LatencyMs, double FailRate);

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
            using var stats = new MemoryStream();
            using (var w = new Utf8JsonWriter(stats))
            {
                w.WriteStartObject();
                w.WriteNumber("requests", Interlocked.Read(ref _requests));
                w.WriteNumber("failed", Interlocked.Read(ref _failed));
                w.WriteStartArray("traceparents");
                foreach (var t in Traceparents)
                {
                    w.WriteStringValue(t);
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            stats.WriteByte((byte)'\n');
            await ctx.Response.Body.WriteAsync(stats.ToArray(), ctx.RequestAborted);
            return;
        }
        var q = ctx.Request.Query;
        var defaults = _defaults ??= new Defaults(o.LatencyMs, o.FailRate);
        if (ctx.Request.Path == ConfigPath)
        {
            _defaults = defaults = new Defaults(Int(q["latency_ms"], defaults.LatencyMs), Rate(q["fail_rate"], defaults.FailRate));
            if (Int(q["fail_next"], -1) is >= 0 and var failNext)
            {
                Interlocked.Exchange(ref _failNext, failNext);
            }
            ctx.Response.ContentType = "application/json";
            await ctx.Response.WriteAsync(string.Create(CultureInfo.InvariantCulture,
                $"{{\"latencyMs\":{defaults.LatencyMs},\"failRate\":{defaults.FailRate}}}\n"), ctx.RequestAborted);
            return;
        }
        Interlocked.Increment(ref _requests);
        if (ctx.Request.Headers.TryGetValue("traceparent", out var tp))
        {
            Traceparents.Enqueue(tp.ToString());
            while (Traceparents.Count > 32 && Traceparents.TryDequeue(out _))
            {
            }
        }
        if (GrpcStatusCodes.IsGrpc(ctx.Request.ContentType))
        {
            await GrpcEcho.HandleAsync(ctx, o);
            return;
        }
        var latency = Int(q["latency_ms"], defaults.LatencyMs);
        var status = Int(q["status"], o.Status);
        var size = q.ContainsKey("size") ? Int(q["size"], 0) : o.Size;
        var failRate = Rate(q["fail_rate"], defaults.FailRate);

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
        if (Interlocked.Decrement(ref _failNext) >= 0 || failRate > 0 && Random.Shared.NextDouble() < failRate)
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
            if (ctx.Request.Headers.TryGetValue("traceparent", out var traceparent))
            {
                w.WriteString("traceparent", traceparent.ToString());
            }
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

    private static double Rate(Microsoft.Extensions.Primitives.StringValues v, double fallback) =>
        double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var f) && f is >= 0 and <= 1 ? f : fallback;

    private static int Int(Microsoft.Extensions.Primitives.StringValues v, int fallback) =>
        int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) ? i : fallback;
}
