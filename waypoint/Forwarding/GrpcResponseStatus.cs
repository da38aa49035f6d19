using System.Net.Http.Headers;
using Mesh.Core.Http;

namespace Mesh.Waypoint.Forwarding;

/// <summary>
/// The <c>grpc-status</c> of an upstream gRPC response before any of it reaches the client, for a route that retries
/// gRPC codes: from the headers of a trailers-only answer, else from the trailers after reading the body into memory
/// (at most <see cref="MaxBufferedBody"/>; unary answers are small). The buffered body takes the place of the
/// response's content, with the same content headers, so the client gets it byte for byte, and the trailers stay on the
/// response for the forwarder to copy. A longer body (a stream) is put back in front of the rest and not inspected.
/// </summary>
public static class GrpcResponseStatus
{
    public const int MaxBufferedBody = 64 * 1024;

    /// <summary>The status; null when the response is not gRPC, has none, or its body is longer than the bound.</summary>
    public static async Task<int?> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (!GrpcStatusCodes.IsGrpc(response.Content.Headers.ContentType?.ToString()))
        {
            return null;
        }
        if (Header(response.Headers) is { } trailersOnly)
        {
            return trailersOnly;
        }
        var original = response.Content;
        var stream = await original.ReadAsStreamAsync(cancellationToken);
        var (buffer, filled) = await RequestBodyBuffer.ReadUpToAsync(stream, MaxBufferedBody, cancellationToken);
        var complete = filled <= MaxBufferedBody;
        HttpContent replacement = complete
            ? new ByteArrayContent(buffer, 0, filled)
            : new StreamContent(new PrefixedStream(buffer, stream, ownsRest: true));
        foreach (var h in original.Headers)
        {
            replacement.Headers.TryAddWithoutValidation(h.Key, h.Value);
        }
        response.Content = replacement;
        if (!complete)
        {
            return null;
        }
        // Read to its end: the trailers are on the response now, and the upstream stream is done with.
        original.Dispose();
        return Header(response.TrailingHeaders);
    }

    private static int? Header(HttpHeaders headers) =>
        headers.TryGetValues(GrpcStatusCodes.StatusHeader, out var values) ? GrpcStatusCodes.FromHeader(values.FirstOrDefault()) : null;
}
