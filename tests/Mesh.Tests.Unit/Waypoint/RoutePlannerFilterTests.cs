using Mesh.Core.Model;
using Mesh.Waypoint.Routing;
using static Mesh.Tests.Unit.Waypoint.RouteFixtures;

namespace Mesh.Tests.Unit.Waypoint;

public sealed class RoutePlannerFilterTests
{
    private static readonly HttpRouteMatch Api = new() { PathType = "PathPrefix", PathValue = "/api" };

    [Fact]
    public void Plan_RedirectRule_AnswersWithLocationNoBackend()
    {
        var redirect = new HttpRedirect { Scheme = "https", Path = new HttpPathModifier("ReplacePrefixMatch", "/v2"), StatusCode = 301 };
        var table = Table(Route("r", new HttpRouteRule { Matches = [Api], Filters = new HttpRouteFilters { Redirect = redirect } }));

        var plan = RoutePlanner.Plan(table, Get("/api/items") with { Query = "?page=2" }, new Random(1));

        Assert.True(plan.IsSuccess);
        Assert.Equal(new RedirectAnswer(301, "https://echo.app/v2/items?page=2"), plan.Redirect);
        Assert.Null(plan.BackendService);
        Assert.Empty(plan.Endpoints);
    }

    [Fact]
    public void Plan_PrefixMatch_MatchedPrefixAndFiltersCarried()
    {
        var filters = new HttpRouteFilters { Rewrite = new HttpUrlRewrite { Path = new HttpPathModifier("ReplacePrefixMatch", "/") } };
        var backendFilters = new HttpRouteFilters { RequestHeaders = new HttpHeaderModifier { Set = [new("x-v", "1")] } };
        var table = Table(Route("r", new HttpRouteRule { Matches = [Api], Filters = filters, Backends = [new("app", "echo-v1", 80, 1, backendFilters)] }));

        var plan = RoutePlanner.Plan(table, Get("/api/items"), new Random(1));

        Assert.Equal("/api", plan.MatchedPrefix);
        Assert.Same(filters, plan.Filters);
        Assert.Same(backendFilters, plan.BackendFilters);
        Assert.Equal("echo-v1", plan.BackendService!.Name);
    }

    [Fact]
    public void Plan_ExactMatch_NoMatchedPrefix()
    {
        var table = Table(Route("r", new HttpRouteRule { Matches = [new HttpRouteMatch { PathType = "Exact", PathValue = "/x" }], Backends = [To("echo-v1")] }));

        Assert.Null(RoutePlanner.Plan(table, Get("/x"), new Random(1)).MatchedPrefix);
    }

    [Fact]
    public void Plan_UnresolvedRuleFilter_500()
    {
        var table = Table(Route("r", new HttpRouteRule { Filters = new HttpRouteFilters { Unresolved = "ExtensionRef x" }, Backends = [To("echo-v1")] }));

        var plan = RoutePlanner.Plan(table, Get(), new Random(1));

        Assert.Equal(RouteFailure.FilterNotResolved, plan.Failure);
        Assert.Equal(500, RouteFailures.Status(plan.Failure));
    }

    [Fact]
    public void Plan_UnresolvedFilterOnOneBackend_OnlyItsShareFails()
    {
        var broken = new HttpBackendRef("app", "echo-v2", 80, 1, new HttpRouteFilters { Unresolved = "ExtensionRef x" });
        var table = Table(Route("r", new HttpRouteRule { Backends = [To("echo-v1"), broken] }));
        var random = new Random(3);

        var plans = Enumerable.Range(0, 400).Select(_ => RoutePlanner.Plan(table, Get(), random)).ToList();

        Assert.All(plans.Where(p => !p.IsSuccess), p => Assert.Equal(("echo-v2", RouteFailure.FilterNotResolved), (p.BackendService!.Name, p.Failure)));
        Assert.All(plans.Where(p => p.IsSuccess), p => Assert.Equal("echo-v1", p.BackendService!.Name));
        Assert.InRange(plans.Count(p => p.IsSuccess), 150, 250);
    }

    [Fact]
    public void Plan_Mirrors_RuleAndBackendMirrorsWithEndpointsUnknownSkipped()
    {
        var rule = new HttpRouteFilters { Mirrors = [To("echo-v2"), To("nowhere")] };
        var backend = new HttpRouteFilters { Mirrors = [To("empty")] };
        var table = Table(Route("r", new HttpRouteRule { Filters = rule, Backends = [new("app", "echo-v1", 80, 1, backend)] }));

        var plan = RoutePlanner.Plan(table, Get(), new Random(1));

        Assert.Equal(["echo-v2", "empty"], plan.Mirrors.Select(m => m.Service.Name));
        Assert.Equal("198.18.2.3:8080", Assert.Single(plan.Mirrors[0].Endpoints).Address.ToString());
        Assert.Empty(plan.Mirrors[1].Endpoints);
    }

    [Fact]
    public void Plan_GrpcRouteMatch_NeedsGrpcContentType()
    {
        var grpc = new HttpHeaderMatch("content-type", @"application/grpc(\+[^;]*)?(;.*)?", "RegularExpression");
        var table = Table(Route("g", new HttpRouteRule
        {
            Matches = [new HttpRouteMatch { PathType = "Exact", PathValue = "/echo.Echo/Get", Headers = [grpc] }],
            Backends = [To("echo-v1")],
        }));
        Dictionary<string, string> grpcHeaders = new() { ["content-type"] = "application/grpc+proto" };

        var call = RoutePlanner.Plan(table, Get("/echo.Echo/Get", method: "POST", headers: grpcHeaders), new Random(1));
        var plainPost = RoutePlanner.Plan(table, Get("/echo.Echo/Get", method: "POST"), new Random(1));
        var otherMethod = RoutePlanner.Plan(table, Get("/echo.Echo/Put", method: "POST", headers: grpcHeaders), new Random(1));

        Assert.Equal("echo-v1", call.BackendService!.Name);
        Assert.Equal(RouteFailure.NoRouteMatched, plainPost.Failure);
        Assert.Equal(RouteFailure.NoRouteMatched, otherMethod.Failure);
    }
}
