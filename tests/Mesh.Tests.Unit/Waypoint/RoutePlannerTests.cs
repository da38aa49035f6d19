using System.Net;
using Mesh.Core.Model;
using Mesh.Waypoint.Routing;
using static Mesh.Tests.Unit.Waypoint.RouteFixtures;

namespace Mesh.Tests.Unit.Waypoint;

public sealed class RoutePlannerTests
{
    [Fact]
    public void Plan_NoRouteForService_DefaultRouteToServiceEndpointsOnTargetPort()
    {
        var plan = RoutePlanner.Plan(Table(), Get(), new Random(1));

        Assert.True(plan.IsSuccess);
        Assert.Null(plan.Route);
        Assert.Equal("echo", plan.BackendService!.Name);
        Assert.Equal(["198.18.1.3:8080", "198.18.2.3:8080"], plan.Endpoints.Select(e => e.Address.ToString()).Order());
        Assert.Null(plan.Retry);
        Assert.Null(plan.RequestTimeout);
    }

    [Fact]
    public void Plan_WeightedBackends_ChoosesByWeight()
    {
        var table = Table(Route("split", Rule(To("echo-v1", 80), To("echo-v2", 20))));
        var random = new Random(42);

        var picks = Enumerable.Range(0, 10_000).Select(_ => RoutePlanner.Plan(table, Get(), random).BackendService!.Name).ToList();

        var v1 = picks.Count(p => p == "echo-v1");
        Assert.Equal(10_000, v1 + picks.Count(p => p == "echo-v2"));
        Assert.InRange(v1, 7_700, 8_300);
    }

    [Fact]
    public void Plan_ZeroWeightBackend_NeverChosen()
    {
        var table = Table(Route("split", Rule(To("echo-v1", 0), To("echo-v2", 5))));
        var random = new Random(7);

        Assert.All(Enumerable.Range(0, 200), _ => Assert.Equal("echo-v2", RoutePlanner.Plan(table, Get(), random).BackendService!.Name));
    }

    [Fact]
    public void Plan_AllWeightsZero_BackendNotFound500()
    {
        var plan = RoutePlanner.Plan(Table(Route("r", Rule(To("echo-v1", 0)))), Get(), new Random(1));

        Assert.Equal(RouteFailure.BackendNotFound, plan.Failure);
        Assert.Equal(500, RouteFailures.Status(plan.Failure));
    }

    [Fact]
    public void Plan_RuleWithoutBackends_BackendNotFound()
    {
        Assert.Equal(RouteFailure.BackendNotFound, RoutePlanner.Plan(Table(Route("r", Rule())), Get(), new Random(1)).Failure);
    }

    [Fact]
    public void Plan_UnknownBackendService_BackendNotFound()
    {
        var plan = RoutePlanner.Plan(Table(Route("r", Rule(To("nope")))), Get(), new Random(1));

        Assert.Equal(RouteFailure.BackendNotFound, plan.Failure);
        Assert.Equal(new NamespacedName("app", "r"), plan.Route);
    }

    [Fact]
    public void Plan_BackendWithoutEndpoints_NoHealthyEndpoints503()
    {
        var plan = RoutePlanner.Plan(Table(Route("r", Rule(To("empty")))), Get(), new Random(1));

        Assert.Equal(RouteFailure.NoHealthyEndpoints, plan.Failure);
        Assert.Equal(503, RouteFailures.Status(plan.Failure));
        Assert.Equal("UH", RouteFailures.Flag(plan.Failure));
    }

    [Fact]
    public void Plan_UnknownAddress_UnknownDestination()
    {
        var plan = RoutePlanner.Plan(Table(), Get(destination: IPEndPoint.Parse("198.19.200.1:80")), new Random(1));

        Assert.Equal(RouteFailure.UnknownDestination, plan.Failure);
    }

    [Fact]
    public void Plan_UndeclaredServicePort_ServicePortNotFound()
    {
        var plan = RoutePlanner.Plan(Table(), Get(destination: IPEndPoint.Parse("198.19.128.1:81")), new Random(1));

        Assert.Equal(RouteFailure.ServicePortNotFound, plan.Failure);
    }

    [Fact]
    public void Plan_PodAddress_ThatPodOnTheSamePort()
    {
        var plan = RoutePlanner.Plan(Table(), Get(destination: IPEndPoint.Parse("198.18.2.3:8080")), new Random(1));

        Assert.True(plan.IsSuccess);
        Assert.Equal("echo-v2", Assert.Single(plan.Endpoints).Workload.Name);
        Assert.Equal(8080, plan.Endpoints[0].Address.Port);
    }

    [Fact]
    public void Plan_NoRuleMatches_NoRouteMatched404()
    {
        var rule = new HttpRouteRule { Matches = [new HttpRouteMatch { PathType = "Exact", PathValue = "/only" }], Backends = [To("echo-v1")] };

        var plan = RoutePlanner.Plan(Table(Route("r", rule)), Get("/other"), new Random(1));

        Assert.Equal(RouteFailure.NoRouteMatched, plan.Failure);
        Assert.Equal(404, RouteFailures.Status(plan.Failure));
    }

    [Fact]
    public void Plan_ExactBeatsLongerPrefixBeatsShorterPrefix()
    {
        var table = Table(Route("r",
            new HttpRouteRule { Matches = [new HttpRouteMatch { PathType = "PathPrefix", PathValue = "/" }], Backends = [To("echo")] },
            new HttpRouteRule { Matches = [new HttpRouteMatch { PathType = "PathPrefix", PathValue = "/api" }], Backends = [To("echo-v1")] },
            new HttpRouteRule { Matches = [new HttpRouteMatch { PathType = "Exact", PathValue = "/api/v2" }], Backends = [To("echo-v2")] }));

        Assert.Equal("echo-v2", RoutePlanner.Plan(table, Get("/api/v2"), new Random(1)).BackendService!.Name);
        Assert.Equal("echo-v1", RoutePlanner.Plan(table, Get("/api/v3"), new Random(1)).BackendService!.Name);
        Assert.Equal("echo", RoutePlanner.Plan(table, Get("/apix"), new Random(1)).BackendService!.Name);
    }

    [Fact]
    public void Plan_MethodAndHeaderMatches_MoreSpecificWins()
    {
        var table = Table(Route("r",
            new HttpRouteRule { Matches = [new HttpRouteMatch { PathType = "PathPrefix", PathValue = "/" }], Backends = [To("echo")] },
            new HttpRouteRule { Matches = [new HttpRouteMatch { PathType = "PathPrefix", PathValue = "/", Method = "POST" }], Backends = [To("echo-v1")] },
            new HttpRouteRule
            {
                Matches = [new HttpRouteMatch { PathType = "PathPrefix", PathValue = "/", Method = "POST", Headers = [new HttpHeaderMatch("x-canary", "yes")] }],
                Backends = [To("echo-v2")],
            }));

        Assert.Equal("echo", RoutePlanner.Plan(table, Get("/"), new Random(1)).BackendService!.Name);
        Assert.Equal("echo-v1", RoutePlanner.Plan(table, Get("/", method: "POST"), new Random(1)).BackendService!.Name);
        Assert.Equal("echo-v2", RoutePlanner.Plan(table, Get("/", method: "POST", headers: new() { ["x-canary"] = "yes" }), new Random(1)).BackendService!.Name);
    }

    [Fact]
    public void Plan_EqualMatchesInTwoRoutes_RouteNameBreaksTheTie()
    {
        var table = Table(Route("zzz", Rule(To("echo-v2"))), Route("aaa", Rule(To("echo-v1"))));

        var plan = RoutePlanner.Plan(table, Get(), new Random(1));

        Assert.Equal(new NamespacedName("app", "aaa"), plan.Route);
        Assert.Equal("echo-v1", plan.BackendService!.Name);
    }

    [Fact]
    public void Plan_RouteForOtherPort_Ignored()
    {
        var route = Route("r", Rule(To("echo-v1"))) with { Parents = [new HttpRouteParent("Service", "app", "echo", 9090)] };

        var plan = RoutePlanner.Plan(Table(route), Get(), new Random(1));

        Assert.Null(plan.Route);
        Assert.Equal("echo", plan.BackendService!.Name);
    }

    [Fact]
    public void Plan_GatewayParentedRoute_AppliesWhenHostnameMatches()
    {
        var route = Route("gw", Rule(To("echo-v1"))) with
        {
            Parents = [new HttpRouteParent("Gateway", "app", "waypoint")],
            Hostnames = ["echo.app"],
        };
        var table = Table(route);

        Assert.Equal("echo-v1", RoutePlanner.Plan(table, Get(host: "echo.app:80"), new Random(1)).BackendService!.Name);
        Assert.Equal("echo", RoutePlanner.Plan(table, Get(host: "other.app"), new Random(1)).BackendService!.Name);
    }

    [Fact]
    public void Plan_GatewayParentedRouteOfAnotherWaypoint_Ignored()
    {
        var route = Route("gw", Rule(To("echo-v1"))) with { Parents = [new HttpRouteParent("Gateway", "app", "other")] };

        Assert.Null(RoutePlanner.Plan(Table(route), Get(), new Random(1)).Route);
    }

    [Fact]
    public void Plan_RuleTimeoutsAndRetry_CarriedIntoThePlan_ZeroMeansNone()
    {
        var retry = new HttpRetry { Attempts = 2, Codes = [503] };
        var rule = Rule(To("echo-v1")) with { RequestTimeout = TimeSpan.FromSeconds(2), BackendRequestTimeout = TimeSpan.Zero, Retry = retry };

        var plan = RoutePlanner.Plan(Table(Route("r", rule)), Get(), new Random(1));

        Assert.Equal(TimeSpan.FromSeconds(2), plan.RequestTimeout);
        Assert.Null(plan.BackendTimeout);
        Assert.Same(retry, plan.Retry);
    }

    [Fact]
    public void Plan_EndpointOutsideMesh_MarkedNotCaptured()
    {
        var state = Table().State;
        var plain = RouteFixtures.Pod("legacy", "198.18.1.9", captured: false);
        var svc = RouteFixtures.Svc("legacy", "198.19.128.9", "app/legacy");
        var table = RouteTable.Build(MeshState.Build(2, [.. state.Workloads, plain], [.. state.Services, svc], [], []), Gateway);

        var plan = RoutePlanner.Plan(table, Get(destination: IPEndPoint.Parse("198.19.128.9:80")), new Random(1));

        Assert.False(Assert.Single(plan.Endpoints).Captured);
    }

    [Fact]
    public void PickBackend_NoBackends_Null()
    {
        Assert.Null(RoutePlanner.PickBackend([], new Random(1)));
    }
}
