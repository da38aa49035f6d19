using System.Collections.Immutable;
using System.Net;
using Mesh.ControlPlane.Registry;
using Mesh.ControlPlane.Translation;
using Mesh.Core.Model;
using Mesh.Tests.Common.E2E;
using Mesh.Tests.Common.Lab;
using Mesh.Waypoint.Routing;

namespace Mesh.Tests.Unit.KindConfig;

/// <summary>
/// The kind run's HTTPRoute (kind-config/manifests/split-route.yaml) through the control plane's translation and the
/// waypoint's planner, judged as the E2E check judges the cluster: what the waypoint decides is what the check expects.
/// </summary>
public sealed class KindSplitRoutePlanTests
{
    private const string Ns = "mesh-e2e";
    private static readonly NamespacedName Gateway = new(Ns, "waypoint");
    private static readonly IPEndPoint EchoVip = IPEndPoint.Parse("198.19.128.1:8080");

    [Fact]
    public void Plan_ProbeHeader_AlwaysEchoV2()
    {
        var table = Table(withRoute: true);
        var random = new Random(7);

        var backends = Enumerable.Range(0, 200).Select(_ => RoutePlanner.Plan(table, Get(("x-e2e-probe", "v2")), random).BackendService?.Name).Distinct().ToList();

        Assert.Equal(["echo-v2"], backends);
    }

    [Fact]
    public void Plan_500PlainRequests_SplitJudgedWithinTheWeights()
    {
        var table = Table(withRoute: true);
        var random = new Random(12345);

        var plans = Enumerable.Range(0, 500).Select(_ => RoutePlanner.Plan(table, Get(), random)).ToList();

        Assert.All(plans, p => Assert.Equal(RouteFailure.None, p.Failure));
        var v1 = plans.Count(p => p.BackendService?.Name == "echo-v1");
        Assert.Equal(500, v1 + plans.Count(p => p.BackendService?.Name == "echo-v2"));
        var verdict = SplitJudge.Judge(v1, 500, 0.9);
        Assert.True(verdict.Within, verdict.Description);
    }

    [Fact]
    public void Plan_NoRoute_TheServiceItselfWhichTheSplitCheckRefuses()
    {
        // Without the route the waypoint sends to the Service echo, whose two pods ztunnel balances (about 50/50):
        // the E2E check's probe never sees 20 in a row on echo-v2, and the judge refuses an even split.
        var table = Table(withRoute: false);

        var plan = RoutePlanner.Plan(table, Get(("x-e2e-probe", "v2")), new Random(1));

        Assert.Equal("echo", plan.BackendService?.Name);
        Assert.False(SplitJudge.Judge(250, 500, 0.9).Within);
    }

    private static RouteTable Table(bool withRoute)
    {
        Workload[] pods = [Pod("echo-v1-7d9f8b6c5-abcde", "198.18.1.3"), Pod("echo-v2-5c6d7e8f9-fghij", "198.18.2.3"), Pod("client", "198.18.1.2")];
        Service[] services =
        [
            Svc("echo", "198.19.128.1", Gateway, pods[0].Uid, pods[1].Uid),
            Svc("echo-v1", "198.19.128.2", null, pods[0].Uid),
            Svc("echo-v2", "198.19.128.3", null, pods[1].Uid),
        ];
        var state = MeshState.Build(1, pods, services, [new Mesh.Core.Model.Waypoint { Name = Gateway.Name, Namespace = Ns }], []);
        if (withRoute)
        {
            var obj = YamlDocuments.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "kind-config", "manifests", "split-route.yaml"))).Single();
            obj["metadata"]!["namespace"] = Ns; // kind-test.sh applies it with -n
            state = state with { HttpRoutes = [HttpRouteTranslator.Translate(ObjectMeta.Read(obj), obj)] };
        }
        return RouteTable.Build(state, Gateway);
    }

    private static Workload Pod(string name, string ip) => new()
    {
        Uid = $"{Ns}/{name}",
        Name = name,
        Namespace = Ns,
        ServiceAccount = "echo",
        Node = "worker",
        Addresses = [IPAddress.Parse(ip)],
        Captured = true,
        Labels = ImmutableDictionary<string, string>.Empty,
    };

    private static Service Svc(string name, string vip, NamespacedName? waypoint, params string[] endpoints) => new()
    {
        Name = name,
        Namespace = Ns,
        Addresses = [IPAddress.Parse(vip)],
        Ports = [new ServicePort(8080, 8080)],
        Endpoints = [.. endpoints],
        Waypoint = waypoint,
    };

    private static RequestFacts Get(params (string Name, string Value)[] headers) =>
        new(EchoVip, "GET", "/", $"echo.{Ns}.svc.cluster.local:8080",
            name => headers.FirstOrDefault(h => string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase)).Value);
}
