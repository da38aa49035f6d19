using System.Globalization;
using Mesh.Core.Http;

namespace Mesh.Samples.Echo;

/// <summary>
/// A minimal gRPC server for any <c>/service/method</c> (content type <c>application/grpc</c>, h2c): it answers the
/// request's messages back (length-prefixed frames, unchanged) with <c>grpc-status: 0</c> in the trailers. Request
/// metadata steers it: <c>x-echo-grpc-fail-rate</c> (0..1) answers UNAVAILABLE (14, "echo: unavailable") in the
/// trailers after the response headers, counted as failed in <c>/_echo/stats</c>; <c>x-echo-grpc-status</c> (with
/// <c>x-echo-grpc-message</c>) answers that status trailers-only (headers with END_STREAM), as servers do for an error
/// before any message. The response headers carry <c>x-echo-pod</c>.
/// </summary>
internal static class GrpcEcho
{
    public static async Task HandleAsync(HttpContext ctx, EchoOptions o)
    {
        using var body = new MemoryStream();
        await ctx.Request.Body.CopyToAsync(body, ctx.RequestAborted);
        ctx.Response.ContentType = "application/grpc";
        ctx.Response.Headers["x-echo-pod"] = o.PodName;
        var headers = ctx.Request.Headers;
        if (int.TryParse(headers["x-echo-grpc-status"], NumberStyles.None, CultureInfo.InvariantCulture, out var wanted))
        {
            ctx.Response.Headers[GrpcStatusCodes.StatusHeader] = wanted.ToString(CultureInfo.InvariantCulture);
            ctx.Response.Headers[GrpcStatusCodes.MessageHeader] = headers["x-echo-grpc-message"].ToString();
            Log(o, ctx, wanted);
            return;
        }
        var failRate = double.TryParse(headers["x-echo-grpc-fail-rate"], NumberStyles.Float, CultureInfo.InvariantCulture, out var f) ? f : 0;
        if (failRate > 0 && Random.Shared.NextDouble() < failRate)
        {
            HttpEcho.CountFailure();
            await ctx.Response.StartAsync(ctx.RequestAborted);
            await ctx.Response.Body.FlushAsync(ctx.RequestAborted);
            ctx.Response.AppendTrailer(GrpcStatusCodes.StatusHeader, GrpcStatusCodes.Unavailable.ToString(CultureInfo.InvariantCulture));
            ctx.Response.AppendTrailer(GrpcStatusCodes.MessageHeader, "echo: unavailable");
            Log(o, ctx, GrpcStatusCodes.Unavailable);
            return;
        }
        await ctx.Response.Body.WriteAsync(body.ToArray(), ctx.RequestAborted);
        ctx.Response.AppendTrailer(GrpcStatusCodes.StatusHeader, "0");
        Log(o, ctx, 0);
    }

    private static void Log(EchoOptions o, HttpContext ctx, int status)
    {
        if (!o.Quiet)
        {
            Console.WriteLine($"echo: {o.PodName} gRPC {ctx.Request.Path} -> grpc-status {status}");
        }
    }
}
