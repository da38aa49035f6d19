using System.Net;
using Mesh.Core.Model;
using Microsoft.AspNetCore.Http;
using static Mesh.Tests.Unit.Waypoint.WaypointTestBed;

namespace Mesh.Tests.Unit.Waypoint;

/// <summary>
/// Retries on gRPC status codes through the whole data path on loopback (<see cref="WaypointTestBed"/>): h2c gRPC calls
/// to echo-v1 whose answers carry <c>grpc-status</c> in trailers (after a message) or in the headers (trailers-only).
/// </summary>
public sealed class RequestForwarderGrpcTests
{
    private static readonly byte[] Reply = [0, 0, 0, 0, 2, 0x08, 0x01];

    private static HttpRoute RetryUnavailable() => new()
    {
        Name = "g", Namespace = "app", Kind = HttpRoute.GrpcKind,
        Parents = [new HttpRouteParent("Service", "app", "echo-v1", 80)],
        Rules = [new HttpRouteRule { Backends = [new("app", "echo-v1", 80)], Retry = new HttpRetry { Attempts = 3, GrpcCodes = [14], Backoff = TimeSpan.FromMilliseconds(1) } }],
    };

    private static HttpRequestMessage Call() => new(HttpMethod.Post, "http://198.19.128.2/echo.Echo/Get")
    {
        Version = HttpVersion.Version20,
        VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        Content = new ByteArrayContent([0, 0, 0, 0, 0]) { Headers = { ContentType = new("application/grpc") } },
    };

    /// <summary>A gRPC answer: a message then trailers (status, message), or trailers-only when <paramref name="trailersOnly"/>.</summary>
    private static async Task<bool> AnswerAsync(HttpContext ctx, int status, string message, bool trailersOnly = false)
    {
        await ctx.Request.Body.CopyToAsync(Stream.Null);
        ctx.Response.ContentType = "application/grpc";
        if (trailersOnly)
        {
            ctx.Response.Headers["grpc-status"] = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
            ctx.Response.Headers["grpc-message"] = message;
            return true;
        }
        await ctx.Response.Body.WriteAsync(Reply);
        ctx.Response.AppendTrailer("grpc-status", status.ToString(System.Globalization.CultureInfo.InvariantCulture));
        ctx.Response.AppendTrailer("grpc-message", message);
        return true;
    }

    [Fact]
    public async Task Grpc_UnavailableInTrailersTwice_RetriedAndClientGetsTheThirdAnswerWithItsTrailers()
    {
        await using var bed = await StartAsync();
        bed.SetRoutes(RetryUnavailable());
        bed.Endpoints["echo-v1"].Behavior = (ctx, n) => AnswerAsync(ctx, n <= 2 ? 14 : 0, n <= 2 ? "draining" : "fine");

        using var request = Call();
        using var response = await bed.Client.SendAsync(request);
        var body = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Reply, body);
        Assert.Equal("0", response.TrailingHeaders.GetValues("grpc-status").Single());
        Assert.Equal("fine", response.TrailingHeaders.GetValues("grpc-message").Single());
        Assert.Equal(3, bed.Endpoints["echo-v1"].Requests);
    }

    [Fact]
    public async Task Grpc_NotFoundTrailersOnly_NotRetriedStatusAndMessagePassThrough()
    {
        await using var bed = await StartAsync();
        bed.SetRoutes(RetryUnavailable());
        bed.Endpoints["echo-v1"].Behavior = (ctx, _) => AnswerAsync(ctx, 5, "no such item", trailersOnly: true);

        using var request = Call();
        using var response = await bed.Client.SendAsync(request);
        var body = await response.Content.ReadAsByteArrayAsync();

        Assert.Empty(body);
        var status = response.Headers.TryGetValues("grpc-status", out var h) ? h.Single() : response.TrailingHeaders.GetValues("grpc-status").Single();
        var message = response.Headers.TryGetValues("grpc-message", out var m) ? m.Single() : response.TrailingHeaders.GetValues("grpc-message").Single();
        Assert.Equal(("5", "no such item"), (status, message));
        Assert.Equal(1, bed.Endpoints["echo-v1"].Requests);
    }

    [Fact]
    public async Task Grpc_UnavailableOnEveryAttempt_LastAnswerReachesClientUnchanged()
    {
        await using var bed = await StartAsync();
        bed.SetRoutes(RetryUnavailable());
        bed.Endpoints["echo-v1"].Behavior = (ctx, n) => AnswerAsync(ctx, 14, $"down {n}");

        using var request = Call();
        using var response = await bed.Client.SendAsync(request);
        await response.Content.ReadAsByteArrayAsync();

        Assert.Equal("14", response.TrailingHeaders.GetValues("grpc-status").Single());
        Assert.Equal("down 4", response.TrailingHeaders.GetValues("grpc-message").Single());
        Assert.Equal(4, bed.Endpoints["echo-v1"].Requests);
    }
}
