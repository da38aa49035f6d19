using System.Net;
using System.Security.Cryptography;
using Mesh.Core.Model;
using Microsoft.AspNetCore.Http;
using static Mesh.Tests.Unit.Waypoint.WaypointTestBed;

namespace Mesh.Tests.Unit.Waypoint;

/// <summary>The waypoint's data path on loopback (<see cref="WaypointTestBed"/>): HBONE in, routing, retries, timeouts, HBONE out.</summary>
public sealed class RequestForwarderTests
{
    private static HttpRoute Route(HttpRouteRule rule, string service = "echo") => new()
    {
        Name = "r",
        Namespace = "app",
        Parents = [new HttpRouteParent("Service", "app", service, 80)],
        Rules = [rule],
    };

    private static HttpRouteRule To(string service, HttpRetry? retry = null, TimeSpan? request = null, TimeSpan? backend = null) => new()
    {
        Backends = [new HttpBackendRef("app", service, 80)],
        Retry = retry,
        RequestTimeout = request,
        BackendRequestTimeout = backend,
    };

    private static Func<HttpContext, int, Task<bool>> FailFirst(int count, int status = 503) => (ctx, n) =>
    {
        if (n > count)
        {
            return Task.FromResult(false);
        }
        ctx.Response.StatusCode = status;
        return Task.FromResult(true);
    };

    [Fact]
    public async Task Get_DefaultRoute_ReachesBackendThroughHboneAsTheWaypoint()
    {
        await using var bed = await StartAsync();

        using var response = await bed.Client.GetAsync("http://198.19.128.2/hello?x=1");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("echo-v1", response.Headers.GetValues("x-backend").Single());
        var v1 = bed.Endpoints["echo-v1"];
        var (peer, target) = Assert.Single(v1.TunnelLog);
        Assert.Equal(WaypointId, peer);
        Assert.Equal(IPEndPoint.Parse("198.18.250.2:8080"), target);
        Assert.Equal(("198.19.128.2", "/hello?x=1"), Assert.Single(v1.RequestLog));
    }

    [Fact]
    public async Task Post_OneMegabyteBody_StreamedIntact()
    {
        await using var bed = await StartAsync();
        var body = RandomNumberGenerator.GetBytes(1 << 20);

        using var response = await bed.Client.PostAsync("http://198.19.128.3/upload", new ByteArrayContent(body));

        Assert.Equal($"echo-v2 {body.Length} {Convert.ToHexString(SHA256.HashData(body))}", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Get_SequentialRequests_OneTunnelEachWay()
    {
        await using var bed = await StartAsync();

        for (var i = 0; i < 20; i++)
        {
            using var r = await bed.Client.GetAsync("http://198.19.128.2/");
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        }

        Assert.Equal(20, bed.Endpoints["echo-v1"].Requests);
        Assert.Equal(1, bed.Endpoints["echo-v1"].Tunnels);
        Assert.Equal(1, bed.ClientHbone.ConnectionCount);
    }

    [Fact]
    public async Task H2c_PriorKnowledge_ForwardedAsHttp2WithTrailers()
    {
        await using var bed = await StartAsync();
        bed.Endpoints["echo-v1"].Behavior = async (ctx, _) =>
        {
            ctx.Response.ContentType = "application/grpc";
            await ctx.Response.WriteAsync("payload");
            ctx.Response.AppendTrailer("grpc-status", "0");
            return true;
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, "http://198.19.128.2/pkg.Service/Call")
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent([0, 0, 0, 0, 0]),
        };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/grpc");

        using var response = await bed.Client.SendAsync(request);

        Assert.Equal(HttpVersion.Version20, response.Version);
        Assert.Equal("payload", await response.Content.ReadAsStringAsync());
        Assert.Equal("0", response.TrailingHeaders.GetValues("grpc-status").Single());
        Assert.Equal("HTTP/2", Assert.Single(bed.Endpoints["echo-v1"].Protocols));
    }

    [Fact]
    public async Task H2c_ConcurrentStreams_AllAnswered()
    {
        await using var bed = await StartAsync();

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(async i =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"http://198.19.128.1/{i}") { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
            using var response = await bed.Client.SendAsync(request);
            return response.StatusCode;
        }));

        Assert.All(responses, s => Assert.Equal(HttpStatusCode.OK, s));
        Assert.Equal(20, bed.Endpoints["echo-v1"].Requests + bed.Endpoints["echo-v2"].Requests);
        Assert.All(bed.Endpoints.Values.SelectMany(e => e.Protocols), p => Assert.Equal("HTTP/2", p));
    }

    [Fact]
    public async Task Retry_BackendFailsTwice_ClientGets200()
    {
        await using var bed = await StartAsync();
        bed.SetRoutes(Route(To("echo-v1", new HttpRetry { Attempts = 3, Codes = [503], Backoff = TimeSpan.FromMilliseconds(1) })));
        bed.Endpoints["echo-v1"].Behavior = FailFirst(2);

        using var response = await bed.Client.PostAsync("http://198.19.128.1/", new StringContent("replayed body"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("echo-v1 13 ", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(3, bed.Endpoints["echo-v1"].Requests);
    }

    [Fact]
    public async Task Retry_AttemptsExhausted_LastStatusReturned()
    {
        await using var bed = await StartAsync();
        bed.SetRoutes(Route(To("echo-v1", new HttpRetry { Attempts = 2, Codes = [503], Backoff = TimeSpan.FromMilliseconds(1) })));
        bed.Endpoints["echo-v1"].Behavior = FailFirst(100);

        using var response = await bed.Client.GetAsync("http://198.19.128.1/");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(3, bed.Endpoints["echo-v1"].Requests);
    }

    [Fact]
    public async Task Retry_CodeNotListed_NotRetried()
    {
        await using var bed = await StartAsync();
        bed.SetRoutes(Route(To("echo-v1", new HttpRetry { Attempts = 3, Codes = [503] })));
        bed.Endpoints["echo-v1"].Behavior = FailFirst(1, status: 500);

        using var response = await bed.Client.GetAsync("http://198.19.128.1/");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal(1, bed.Endpoints["echo-v1"].Requests);
    }

    [Fact]
    public async Task BackendTimeout_FirstAttemptHangs_RetriedAndSucceeds()
    {
        await using var bed = await StartAsync();
        bed.SetRoutes(Route(To("echo-v1", new HttpRetry { Attempts = 1 }, backend: TimeSpan.FromMilliseconds(300))));
        bed.Endpoints["echo-v1"].Behavior = async (ctx, n) =>
        {
            if (n == 1)
            {
                await Task.Delay(Timeout.Infinite, ctx.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
                return true;
            }
            return false;
        };

        using var response = await bed.Client.GetAsync("http://198.19.128.1/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, bed.Endpoints["echo-v1"].Requests);
    }

    [Fact]
    public async Task RequestTimeout_BackendHangs_GatewayTimeout()
    {
        await using var bed = await StartAsync();
        bed.SetRoutes(Route(To("echo-v1", request: TimeSpan.FromMilliseconds(300))));
        bed.Endpoints["echo-v1"].Behavior = async (ctx, _) =>
        {
            await Task.Delay(Timeout.Infinite, ctx.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
            return true;
        };

        using var response = await bed.Client.GetAsync("http://198.19.128.1/");

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Equal("upstream request timeout\n", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ConnectFailure_DeadEndpointWithRetry_OtherEndpointServes()
    {
        await using var bed = await StartAsync();
        bed.SetRoutes(Route(To("with-dead", new HttpRetry { Attempts = 1, Backoff = TimeSpan.FromMilliseconds(1) }), service: "with-dead"));

        for (var i = 0; i < 10; i++)
        {
            using var r = await bed.Client.GetAsync("http://198.19.128.4/");
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        }
        Assert.Equal(10, bed.Endpoints["echo-v1"].Requests);
    }

    [Fact]
    public async Task ConnectFailure_OnlyEndpointDeadWithoutRetry_ServiceUnavailable()
    {
        await using var bed = await StartAsync();
        // The balancer steers away from an endpoint that failed, so only a backend whose one endpoint is dead is
        // certain to be tried: without retries each request is the connect failure, answered 503.
        bed.SetRoutes(Route(new HttpRouteRule { Backends = [new HttpBackendRef("app", "dead-only", 80, Weight: 1)] }));
        var codes = new List<HttpStatusCode>();

        for (var i = 0; i < 5; i++)
        {
            using var r = await bed.Client.GetAsync("http://198.19.128.1/");
            codes.Add(r.StatusCode);
        }

        Assert.All(codes, c => Assert.Equal(HttpStatusCode.ServiceUnavailable, c));
        Assert.Equal(0, bed.Endpoints["echo-v1"].Requests + bed.Endpoints["echo-v2"].Requests);
    }

    [Fact]
    public async Task NoMatchingRule_NotFound()
    {
        await using var bed = await StartAsync();
        bed.SetRoutes(Route(new HttpRouteRule
        {
            Matches = [new HttpRouteMatch { PathType = "Exact", PathValue = "/only" }],
            Backends = [new HttpBackendRef("app", "echo-v1", 80)],
        }));

        using var other = await bed.Client.GetAsync("http://198.19.128.1/other");
        using var only = await bed.Client.GetAsync("http://198.19.128.1/only");

        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
        Assert.Equal(HttpStatusCode.OK, only.StatusCode);
    }

    [Fact]
    public async Task UnknownDestination_ServiceUnavailable()
    {
        await using var bed = await StartAsync();

        using var response = await bed.Client.GetAsync("http://198.19.200.9/");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
    }

    [Fact]
    public async Task L7Policy_DenyAdminPathForTheGateway_Forbidden403OthersPass()
    {
        await using var bed = await StartAsync();
        bed.SetPolicies(new AuthorizationPolicy
        {
            Name = "no-admin",
            Namespace = "app",
            Action = PolicyAction.Deny,
            TargetRefs = [new PolicyTargetRef("Gateway", "waypoint")],
            Rules = [new PolicyRule { Paths = ["/admin*"], Principals = ["cluster.local/ns/app/sa/client"] }],
        });

        using var admin = await bed.Client.GetAsync("http://198.19.128.2/admin/users");
        using var open = await bed.Client.GetAsync("http://198.19.128.2/public");

        Assert.Equal(HttpStatusCode.Forbidden, admin.StatusCode);
        Assert.Equal("RBAC: access denied\n", await admin.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, open.StatusCode);
        Assert.Equal(("198.19.128.2", "/public"), Assert.Single(bed.Endpoints["echo-v1"].RequestLog));
    }

    [Fact]
    public async Task Connect_ClientCertificateFromAnotherCa_Refused()
    {
        await using var bed = await StartAsync();
        using var other = new Mesh.Tests.Common.TestCertificateAuthority(TimeProvider.System, TimeSpan.FromHours(1), "Other CA");
        var stranger = await bed.IssueAsync(ClientId, other);

        var result = await bed.ClientHbone.ConnectAsync(new Mesh.Core.Hbone.HboneConnectRequest(stranger, WaypointId, bed.WaypointAddress,
            IPEndPoint.Parse("198.19.128.2:80")), CancellationToken.None);

        Assert.False(result.IsSuccess);
        Assert.Equal(0, bed.Endpoints["echo-v1"].Tunnels);
    }
}
