using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Mesh.Waypoint.Forwarding;

/// <summary>
/// Reads a request body into memory when it is small enough to be sent more than once (retries, mirrors), whether its
/// length is declared or not (gRPC over HTTP/2 declares none): up to the limit, the body is the buffer from then on;
/// beyond it, what was read is put back in front of the rest and the body streams once.
/// </summary>
public static class RequestBodyBuffer
{
    public static bool HasBody(HttpContext ctx) => ctx.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody
        ?? (ctx.Request.ContentLength > 0 || ctx.Request.Headers.TransferEncoding.Count > 0);

    /// <summary>The whole body when it is at most <paramref name="limit"/> bytes (the request then reads it from memory), else null.</summary>
    public static async Task<byte[]?> ReadAsync(HttpContext ctx, int limit, CancellationToken cancellationToken)
    {
        if (ctx.Request.ContentLength > limit)
        {
            return null;
        }
        var buffer = new byte[limit + 1];
        var filled = 0;
        int n;
        while (filled < buffer.Length && (n = await ctx.Request.Body.ReadAsync(buffer.AsMemory(filled), cancellationToken)) > 0)
        {
            filled += n;
        }
        if (filled > limit)
        {
            ctx.Request.Body = new PrefixedStream(buffer, ctx.Request.Body);
            return null;
        }
        var body = buffer.AsSpan(0, filled).ToArray();
        ctx.Request.Body = new MemoryStream(body, writable: false);
        return body;
    }
}
