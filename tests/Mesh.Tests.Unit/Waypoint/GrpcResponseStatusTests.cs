using System.Net.Http.Headers;
using Mesh.Waypoint.Forwarding;

namespace Mesh.Tests.Unit.Waypoint;

public sealed class GrpcResponseStatusTests
{
    private static HttpResponseMessage Response(byte[] body, string contentType = "application/grpc", (string, string)[]? trailers = null, (string, string)[]? headers = null)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        var r = new HttpResponseMessage(System.Net.HttpStatusCode.OK) { Content = content };
        foreach (var (k, v) in trailers ?? [])
        {
            r.TrailingHeaders.Add(k, v);
        }
        foreach (var (k, v) in headers ?? [])
        {
            r.Headers.Add(k, v);
        }
        return r;
    }

    [Fact]
    public async Task ReadAsync_StatusInTrailers_ReadAndBodyKeptByteForByte()
    {
        byte[] body = [0, 0, 0, 0, 3, 1, 2, 3];
        using var r = Response(body, trailers: [("grpc-status", "14"), ("grpc-message", "try again")]);

        var status = await GrpcResponseStatus.ReadAsync(r, CancellationToken.None);

        Assert.Equal(14, status);
        Assert.Equal(body, await r.Content.ReadAsByteArrayAsync());
        Assert.Equal("application/grpc", r.Content.Headers.ContentType!.MediaType);
        Assert.Equal(["try again"], r.TrailingHeaders.GetValues("grpc-message"));
    }

    [Fact]
    public async Task ReadAsync_TrailersOnly_StatusFromHeadersBodyUntouched()
    {
        using var r = Response([], headers: [("grpc-status", "5")]);
        var content = r.Content;

        Assert.Equal(5, await GrpcResponseStatus.ReadAsync(r, CancellationToken.None));
        Assert.Same(content, r.Content);
    }

    [Fact]
    public async Task ReadAsync_NotGrpc_NullContentUntouched()
    {
        using var r = Response([1, 2], contentType: "application/json", trailers: [("grpc-status", "14")]);
        var content = r.Content;

        Assert.Null(await GrpcResponseStatus.ReadAsync(r, CancellationToken.None));
        Assert.Same(content, r.Content);
    }

    [Fact]
    public async Task ReadAsync_BodyOverTheBound_NotInspectedButWholeBodyKept()
    {
        var body = new byte[GrpcResponseStatus.MaxBufferedBody + 1000];
        Random.Shared.NextBytes(body);
        using var r = Response(body, trailers: [("grpc-status", "14")]);

        Assert.Null(await GrpcResponseStatus.ReadAsync(r, CancellationToken.None));
        Assert.Equal(body, await r.Content.ReadAsByteArrayAsync());
    }
}
