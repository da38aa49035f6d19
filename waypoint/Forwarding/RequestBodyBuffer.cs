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
        var (buffer, filled) = await ReadUpToAsync(ctx.Request.Body, limit, cancellationToken);
        if (filled > limit)
        {
            ctx.Request.Body = new PrefixedStream(buffer, ctx.Request.Body);
            return null;
        }
        var body = buffer.AsSpan(0, filled).ToArray();
        ctx.Request.Body = new MemoryStream(body, writable: false);
        return body;
    }

    /// <summary>Reads until the end or one byte past <paramref name="limit"/>: <c>Filled &gt; limit</c> means the stream is longer.</summary>
    public static async Task<(byte[] Buffer, int Filled)> ReadUpToAsync(Stream stream, int limit, CancellationToken cancellationToken)
    {
        var buffer = new byte[limit + 1];
        var filled = 0;
        int n;
        while (filled < buffer.Length && (n = await stream.ReadAsync(buffer.AsMemory(filled), cancellationToken)) > 0)
        {
            filled += n;
        }
        return (buffer, filled);
    }
}
