using System.Collections.Concurrent;
using System.Net;
using Mesh.Core.Model;
using static Mesh.Tests.Unit.Waypoint.WaypointTestBed;

namespace Mesh.Tests.Unit.Waypoint;

/// <summary>HTTPRoute filters through the whole data path on loopback (<see cref="WaypointTestBed"/>), seen at the backend and at the client.</summary>
public sealed class RequestForwarderFilterTests
{
    private static HttpRoute Route(params HttpRouteRule[] rules) => new()
    {
        Name = "f", Namespace = "app",
        Parents = [new HttpRouteParent("Service", "app", "echo", 80)],
        Rules = [.. rules],
    };

    private static HttpRouteMatch Prefix(string p) => new() { PathType = "PathPrefix", PathValue = p };

    [Fact]
    public async Task Filters_HeadersAndRewrite_BackendSeesModifiedRequestClientSeesModifiedResponse()
    {
        await using var bed = await StartAsync();
        var seen = new ConcurrentQueue<(string Target, string? Set, string? Add, bool Removed, string Host)>();
        bed.Endpoints["echo-v1"].Behavior = (ctx, _) =>
        {
            seen.Enqueue((ctx.Request.Path + ctx.Request.QueryString, ctx.Request.Headers["x-set"], ctx.Request.Headers["x-add"],
                !ctx.Request.Headers.ContainsKey("x-drop"), ctx.Request.Host.Value ?? ""));
            ctx.Response.Headers["x-internal"] = "secret";
            return Task.FromResult(false);
        };
        bed.SetRoutes(Route(new HttpRouteRule
        {
            Matches = [Prefix("/api")],
            Filters = new HttpRouteFilters
            {
                RequestHeaders = new HttpHeaderModifier { Set = [new("x-set", "set")], Add = [new("x-add", "added")], Remove = ["x-drop"] },
                ResponseHeaders = new HttpHeaderModifier { Add = [new("x-route", "f")], Remove = ["x-internal"] },
                Rewrite = new HttpUrlRewrite { Hostname = "rewritten.example", Path = new HttpPathModifier("ReplacePrefixMatch", "/v2") },
            },
            Backends = [new("app", "echo-v1", 80)],
        }));
        using var request = new HttpRequestMessage(HttpMethod.Get, "http://198.19.128.1/api/items?page=2");
        request.Headers.Add("x-set", "client");
        request.Headers.Add("x-add", "client");
        request.Headers.Add("x-drop", "client");

        using var response = await bed.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var s = Assert.Single(seen);
        Assert.Equal(("/v2/items?page=2", "set", "client, added", true, "rewritten.example"), s);
        Assert.Equal(["f"], response.Headers.GetValues("x-route"));
        Assert.False(response.Headers.Contains("x-internal"));
        Assert.Equal(["echo-v1"], response.Headers.GetValues("x-backend"));
    }

    [Fact]
    public async Task Filters_Redirect_ClientGetsStatusAndLocationBackendNothing()
    {
        await using var bed = await StartAsync();
        bed.SetRoutes(Route(new HttpRouteRule
        {
            Matches = [Prefix("/old")],
            Filters = new HttpRouteFilters { Redirect = new HttpRedirect { Scheme = "https", Hostname = "new.example", StatusCode = 301, Path = new HttpPathModifier("ReplacePrefixMatch", "/new") } },
        }));

        var handler = bed.NewHandler();
        handler.AllowAutoRedirect = false;
        using var client = new HttpClient(handler);

        using var response = await client.GetAsync("http://198.19.128.1/old/page?x=1");

        Assert.Equal(HttpStatusCode.MovedPermanently, response.StatusCode);
        Assert.Equal("https://new.example/new/page?x=1", response.Headers.Location!.ToString());
        Assert.Equal(0, bed.Endpoints["echo-v1"].Requests + bed.Endpoints["echo-v2"].Requests);
    }

    [Fact]
    public async Task Filters_Mirror_MirrorGetsCopyWithBodyClientGetsPrimaryAnswer()
    {
        await using var bed = await StartAsync();
        var mirrored = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        bed.Endpoints["echo-v2"].Behavior = async (ctx, _) =>
        {
            using var reader = new StreamReader(ctx.Request.Body);
            mirrored.TrySetResult($"{ctx.Request.Method} {ctx.Request.Path} {await reader.ReadToEndAsync()}");
            ctx.Response.StatusCode = 500;
            return true;
        };
        bed.SetRoutes(Route(new HttpRouteRule
        {
            Filters = new HttpRouteFilters { Mirrors = [new("app", "echo-v2", 80)] },
            Backends = [new("app", "echo-v1", 80)],
        }));

        using var response = await bed.Client.PostAsync("http://198.19.128.1/orders", new StringContent("order-1"));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("echo-v1 7 ", body, StringComparison.Ordinal);
        Assert.Equal("POST /orders order-1", await mirrored.Task.WaitAsync(TimeSpan.FromSeconds(20)));
    }

    [Fact]
    public async Task Filters_MirrorOfGrpcCall_CopyIsHttp2WithTeTrailers()
    {
        await using var bed = await StartAsync();
        var mirrored = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        bed.Endpoints["echo-v2"].Behavior = (ctx, _) =>
        {
            mirrored.TrySetResult($"{ctx.Request.Protocol} {ctx.Request.ContentType} te={ctx.Request.Headers.TE}");
            return Task.FromResult(false);
        };
        bed.SetRoutes(Route(new HttpRouteRule { Filters = new HttpRouteFilters { Mirrors = [new("app", "echo-v2", 80)] }, Backends = [new("app", "echo-v1", 80)] }));
        using var request = new HttpRequestMessage(HttpMethod.Post, "http://198.19.128.1/echo.Echo/Get")
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent([0, 0, 0, 0, 0]) { Headers = { ContentType = new("application/grpc") } },
        };
        request.Headers.TE.ParseAdd("trailers");

        using var response = await bed.Client.SendAsync(request);

        Assert.Equal(["echo-v1"], response.Headers.GetValues("x-backend"));
        Assert.Equal("HTTP/2 application/grpc te=trailers", await mirrored.Task.WaitAsync(TimeSpan.FromSeconds(20)));
    }

    [Fact]
    public async Task Filters_MirrorDead_PrimaryUnaffected()
    {
        await using var bed = await StartAsync();
        bed.SetRoutes(Route(new HttpRouteRule
        {
            Filters = new HttpRouteFilters { Mirrors = [new("app", "dead-only", 80)] },
            Backends = [new("app", "echo-v1", 80)],
        }));

        for (var i = 0; i < 5; i++)
        {
            using var response = await bed.Client.GetAsync("http://198.19.128.1/x");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        Assert.Equal(5, bed.Endpoints["echo-v1"].Requests);
    }
}
