using System.Net;
using Mesh.Core.Identity;
using Mesh.Core.Model;
using Mesh.Ztunnel.Limits;
using Mesh.Ztunnel.Outbound;
using static Mesh.Tests.Unit.Ztunnel.TestWorkloads;

namespace Mesh.Tests.Unit.Ztunnel.Outbound;

using Waypoint = Mesh.Core.Model.Waypoint;

public sealed class OutboundPlannerTests
{
    private static readonly Workload Client = Pod("app", "client", "198.18.1.10", sa: "client");
    private static readonly Workload Server1 = Pod("app", "server-1", "198.18.2.10", sa: "server", node: "node2");
    private static readonly Workload Server2 = Pod("app", "server-2", "198.18.2.11", sa: "server", node: "node2");
    private static readonly NamespacedName WaypointRef = new("app", "waypoint");

    private static IPEndPoint Dst(string ip, int port) => new(IPAddress.Parse(ip), port);

    private static OutboundPlan Plan(MeshState state, IPEndPoint dst, int seed = 1, IEndpointLoad? load = null) =>
        OutboundPlanner.Plan(state, Client, dst, new Random(seed), load);

    private static OutboundPlan.Hbone Hbone(OutboundPlan plan) => Assert.IsType<OutboundPlan.Hbone>(plan);

    private static OutboundPlan.Passthrough Passthrough(OutboundPlan plan) => Assert.IsType<OutboundPlan.Passthrough>(plan);

    private static OutboundPlan.Refused Refused(OutboundPlan plan) => Assert.IsType<OutboundPlan.Refused>(plan);

    [Fact]
    public void Plan_ServiceVipWithCapturedEndpoint_HboneToEndpointWithTargetPort()
    {
        var svc = Svc("app", "server", "198.19.128.5", [Server1], ports: new ServicePort(80, 8080));
        var plan = Hbone(Plan(State([Client, Server1], [svc]), Dst("198.19.128.5", 80)));

        Assert.Equal(Dst("198.18.2.10", 15008), plan.Dial);
        Assert.Equal(Dst("198.18.2.10", 8080), plan.Target);
        Assert.Equal(Dst("198.19.128.5", 80), plan.OriginalDestination);
        Assert.Equal(SpiffeId.Parse("spiffe://cluster.local/ns/app/sa/server"), plan.ExpectedIdentity);
        Assert.Equal(SpiffeId.Parse("spiffe://cluster.local/ns/app/sa/client"), plan.SourceIdentity);
        Assert.Same(Server1, plan.DestinationWorkload);
        Assert.Same(svc, plan.DestinationService);
        Assert.Null(plan.Waypoint);
    }

    [Fact]
    public void Plan_ServicePortNotDeclared_RefusedServicePortNotFound()
    {
        var svc = Svc("app", "server", "198.19.128.5", [Server1], ports: new ServicePort(80, 8080));
        var plan = Refused(Plan(State([Client, Server1], [svc]), Dst("198.19.128.5", 81)));

        Assert.Equal(RefusalReason.ServicePortNotFound, plan.Reason);
        Assert.Contains("app/server", plan.Detail, StringComparison.Ordinal);
        Assert.Same(svc, plan.DestinationService);
    }

    [Fact]
    public void Plan_ServiceWithoutDeclaredPorts_KeepsOriginalPort()
    {
        var svc = Svc("app", "server", "198.19.128.5", [Server1]);
        var plan = Hbone(Plan(State([Client, Server1], [svc]), Dst("198.19.128.5", 9000)));

        Assert.Equal(Dst("198.18.2.10", 9000), plan.Target);
    }

    [Fact]
    public void Plan_ServicePortWithoutTargetPort_UsesServicePort()
    {
        var svc = Svc("app", "server", "198.19.128.5", [Server1], ports: new ServicePort(80, 0));
        var plan = Hbone(Plan(State([Client, Server1], [svc]), Dst("198.19.128.5", 80)));

        Assert.Equal(Dst("198.18.2.10", 80), plan.Target);
    }

    [Fact]
    public void Plan_ServiceWithNoEndpoints_RefusedNoHealthyEndpoints()
    {
        var svc = Svc("app", "server", "198.19.128.5", [], ports: new ServicePort(80, 8080));
        var plan = Refused(Plan(State([Client], [svc]), Dst("198.19.128.5", 80)));

        Assert.Equal(RefusalReason.NoHealthyEndpoints, plan.Reason);
        Assert.Same(svc, plan.DestinationService);
    }

    [Fact]
    public void Plan_ServiceEndpointsWithoutAddressOrUnknown_RefusedNoHealthyEndpoints()
    {
        var pending = Pod("app", "pending", "");
        var svc = Svc("app", "server", "198.19.128.5", [pending, Pod("app", "gone", "198.18.2.99")], ports: new ServicePort(80, 8080));
        var plan = Refused(Plan(State([Client, pending], [svc]), Dst("198.19.128.5", 80)));

        Assert.Equal(RefusalReason.NoHealthyEndpoints, plan.Reason);
    }

    [Fact]
    public void Plan_ServiceWithEndpointWithoutAddress_NeverPicksIt()
    {
        var pending = Pod("app", "pending", "");
        var svc = Svc("app", "server", "198.19.128.5", [pending, Server1], ports: new ServicePort(80, 8080));
        var state = State([Client, pending, Server1], [svc]);

        for (var seed = 0; seed < 50; seed++)
        {
            var plan = Plan(state, Dst("198.19.128.5", 80), seed);
            Assert.Same(Server1, plan.DestinationWorkload);
        }
    }

    [Fact]
    public void Plan_ServiceWithUncapturedEndpoint_PassthroughToEndpointTargetPort()
    {
        var legacy = Pod("legacy", "db", "198.18.2.20", captured: false);
        var svc = Svc("legacy", "db", "198.19.128.9", [legacy], ports: new ServicePort(5432, 15432));
        var plan = Passthrough(Plan(State([Client, legacy], [svc]), Dst("198.19.128.9", 5432)));

        Assert.Equal(Dst("198.18.2.20", 15432), plan.Dial);
        Assert.Same(legacy, plan.DestinationWorkload);
        Assert.Same(legacy, plan.Endpoint);
    }

    [Fact]
    public void Plan_ServiceWithThreeEndpoints_SpreadsConnectionsOverAll()
    {
        var server3 = Pod("app", "server-3", "198.18.3.10", sa: "server");
        var svc = Svc("app", "server", "198.19.128.5", [Server1, Server2, server3], ports: new ServicePort(80, 8080));
        var state = State([Client, Server1, Server2, server3], [svc]);
        var random = new Random(42);
        var counts = new Dictionary<string, int>();

        for (var i = 0; i < 300; i++)
        {
            var plan = OutboundPlanner.Plan(state, Client, Dst("198.19.128.5", 80), random);
            var uid = plan.DestinationWorkload!.Uid;
            counts[uid] = counts.GetValueOrDefault(uid) + 1;
        }

        Assert.Equal(3, counts.Count);
        Assert.All(counts.Values, c => Assert.InRange(c, 50, 150));
    }

    [Fact]
    public void Plan_SameSeed_PicksSameEndpoint()
    {
        var svc = Svc("app", "server", "198.19.128.5", [Server1, Server2], ports: new ServicePort(80, 8080));
        var state = State([Client, Server1, Server2], [svc]);

        for (var seed = 0; seed < 20; seed++)
        {
            Assert.Equal(Hbone(Plan(state, Dst("198.19.128.5", 80), seed)).Dial, Hbone(Plan(state, Dst("198.19.128.5", 80), seed)).Dial);
        }
    }

    [Fact]
    public void Plan_TwoEndpointsWithLoad_PicksLessLoaded()
    {
        var svc = Svc("app", "server", "198.19.128.5", [Server1, Server2], ports: new ServicePort(80, 8080));
        var state = State([Client, Server1, Server2], [svc]);
        var load = new FixedLoad(new() { [Server1.Uid] = 100, [Server2.Uid] = 1 });

        for (var seed = 0; seed < 50; seed++)
        {
            Assert.Same(Server2, Plan(state, Dst("198.19.128.5", 80), seed, load).DestinationWorkload);
        }
    }

    [Fact]
    public void Plan_PreferCloseService_EndpointOnClientNodeAndCounted()
    {
        var local = Pod("app", "server-local", "198.18.1.11", sa: "server", node: "node1");
        var svc = Svc("app", "server", "198.19.128.5", [Server1, local, Server2], ports: new ServicePort(80, 8080))
            with { TrafficDistribution = TrafficDistribution.PreferClose };
        var state = State([Client, Server1, Server2, local], [svc]);

        for (var seed = 0; seed < 50; seed++)
        {
            var plan = Hbone(Plan(state, Dst("198.19.128.5", 80), seed, new FixedLoad(new() { [Server1.Uid] = 0, [Server2.Uid] = 0, [local.Uid] = 9 })));
            Assert.Same(local, plan.DestinationWorkload);
            Assert.Same(local, plan.Endpoint);
        }
    }

    [Fact]
    public void Plan_CapturedPodAddress_EndpointIsThePod()
    {
        var plan = Hbone(Plan(State([Client, Server1]), Dst("198.18.2.10", 8080)));

        Assert.Same(Server1, plan.Endpoint);
    }

    [Fact]
    public void Plan_CapturedPodAddress_HboneWithOriginalAuthority()
    {
        var plan = Hbone(Plan(State([Client, Server1]), Dst("198.18.2.10", 8080)));

        Assert.Equal(Dst("198.18.2.10", 15008), plan.Dial);
        Assert.Equal(Dst("198.18.2.10", 8080), plan.Target);
        Assert.Equal(Server1.Identity, plan.ExpectedIdentity);
        Assert.Same(Server1, plan.DestinationWorkload);
        Assert.Null(plan.DestinationService);
    }

    [Fact]
    public void Plan_CapturedPodAddress_CarriesTheCapturedEndpointUnconverted()
    {
        var dst = Dst("198.18.2.10", 8080);
        var plan = Hbone(Plan(State([Client, Server1]), dst));

        Assert.Same(dst, plan.OriginalDestination);
        Assert.Same(dst, plan.Target);
    }

    [Fact]
    public void Plan_UncapturedPodAddress_PassthroughToOriginal()
    {
        var outside = Pod("other", "web", "198.18.2.30", captured: false);
        var plan = Passthrough(Plan(State([Client, outside]), Dst("198.18.2.30", 80)));

        Assert.Equal(Dst("198.18.2.30", 80), plan.Dial);
        Assert.Same(outside, plan.DestinationWorkload);
    }

    [Fact]
    public void Plan_AddressUnknownToMesh_PassthroughToOriginal()
    {
        var plan = Passthrough(Plan(State([Client, Server1]), Dst("198.18.9.9", 443)));

        Assert.Equal(Dst("198.18.9.9", 443), plan.Dial);
        Assert.Null(plan.Endpoint);
        Assert.Null(plan.DestinationWorkload);
        Assert.Null(plan.DestinationService);
        Assert.Equal(Client.Identity, plan.SourceIdentity);
    }

    [Fact]
    public void Plan_Ipv4MappedDestination_ResolvedAsIpv4()
    {
        var dst = new IPEndPoint(IPAddress.Parse("198.18.2.10").MapToIPv6(), 8080);
        var plan = Hbone(Plan(State([Client, Server1]), dst));

        Assert.Equal(Dst("198.18.2.10", 8080), plan.Target);
        Assert.Equal("198.18.2.10:8080", plan.Target.ToString()); // the :authority the HBONE client writes
        Assert.Equal(Dst("198.18.2.10", 8080), plan.OriginalDestination);
        Assert.Equal(IPAddress.Parse("198.18.2.10"), plan.Dial.Address);
    }

    [Fact]
    public void Plan_Ipv6Pod_AuthorityInBrackets()
    {
        var v6 = Pod("app", "v6", "fd00::10");
        var plan = Hbone(Plan(State([Client, v6]), Dst("fd00::10", 8080)));

        Assert.Equal("[fd00::10]:8080", plan.Target.ToString());
        Assert.Equal("[fd00::10]:15008", plan.Dial.ToString());
    }

    [Fact]
    public void Plan_ServiceWithWaypoint_HboneToWaypointWithOriginalAuthority()
    {
        var wpPod = Pod("app", "waypoint-abc", "198.18.1.50", sa: "waypoint", labels: (OutboundPlanner.GatewayNameLabel, "waypoint"));
        var waypoint = new Waypoint { Name = "waypoint", Namespace = "app", Addresses = [IPAddress.Parse("198.18.1.50")] };
        var svc = Svc("app", "server", "198.19.128.5", [Server1], waypoint: WaypointRef, ports: new ServicePort(80, 8080));
        var plan = Hbone(Plan(State([Client, Server1, wpPod], [svc], [waypoint]), Dst("198.19.128.5", 80)));

        Assert.Equal(Dst("198.18.1.50", 15008), plan.Dial);
        Assert.Equal(Dst("198.19.128.5", 80), plan.Target);
        Assert.Equal(SpiffeId.Parse("spiffe://cluster.local/ns/app/sa/waypoint"), plan.ExpectedIdentity);
        Assert.Same(waypoint, plan.Waypoint);
        Assert.Same(svc, plan.DestinationService);
        Assert.Null(plan.DestinationWorkload);
    }

    [Fact]
    public void Plan_WaypointAddressedByService_DialsOneOfItsPods()
    {
        var wp1 = Pod("app", "waypoint-1", "198.18.1.50", sa: "waypoint");
        var wp2 = Pod("app", "waypoint-2", "198.18.2.50", sa: "waypoint");
        var wpSvc = Svc("app", "waypoint", "198.19.128.100", [wp1, wp2], ports: new ServicePort(15008, 15008));
        var waypoint = new Waypoint { Name = "waypoint", Namespace = "app", Addresses = [IPAddress.Parse("198.19.128.100")] };
        var svc = Svc("app", "server", "198.19.128.5", [Server1], waypoint: WaypointRef, ports: new ServicePort(80, 8080));
        var plan = Hbone(Plan(State([Client, Server1, wp1, wp2], [svc, wpSvc], [waypoint]), Dst("198.19.128.5", 80)));

        Assert.Contains(plan.Dial.Address, new[] { IPAddress.Parse("198.18.1.50"), IPAddress.Parse("198.18.2.50") });
        Assert.Equal(15008, plan.Dial.Port);
        Assert.Equal(Dst("198.19.128.5", 80), plan.Target);
    }

    [Fact]
    public void Plan_WaypointWithoutKnownPod_UsesGatewayNamedServiceAccount()
    {
        var waypoint = new Waypoint { Name = "waypoint", Namespace = "app", Addresses = [IPAddress.Parse("198.18.1.77")] };
        var svc = Svc("app", "server", "198.19.128.5", [Server1], waypoint: WaypointRef, ports: new ServicePort(80, 8080));
        var plan = Hbone(Plan(State([Client, Server1], [svc], [waypoint]), Dst("198.19.128.5", 80)));

        Assert.Equal(Dst("198.18.1.77", 15008), plan.Dial);
        Assert.Equal(SpiffeId.Parse("spiffe://cluster.local/ns/app/sa/waypoint"), plan.ExpectedIdentity);
    }

    [Fact]
    public void Plan_WaypointMissingFromState_RefusedWaypointUnavailable()
    {
        var svc = Svc("app", "server", "198.19.128.5", [Server1], waypoint: WaypointRef, ports: new ServicePort(80, 8080));
        var plan = Refused(Plan(State([Client, Server1], [svc]), Dst("198.19.128.5", 80)));

        Assert.Equal(RefusalReason.WaypointUnavailable, plan.Reason);
        Assert.Equal("waypoint app/waypoint is not known", plan.Detail);
        Assert.Same(svc, plan.DestinationService);
    }

    [Fact]
    public void Plan_WaypointWithoutAddresses_RefusedWaypointUnavailable()
    {
        var waypoint = new Waypoint { Name = "waypoint", Namespace = "app" };
        var plan = Refused(Plan(State([Client, Server1 with { Waypoint = WaypointRef }], [], [waypoint]), Dst("198.18.2.10", 8080)));

        Assert.Equal(RefusalReason.WaypointUnavailable, plan.Reason);
        Assert.Equal("waypoint app/waypoint has no address", plan.Detail);
    }

    [Fact]
    public void Plan_PodWithWaypoint_HboneToWaypointKeepsDestinationWorkload()
    {
        var wpPod = Pod("app", "waypoint-abc", "198.18.1.50", sa: "waypoint");
        var waypoint = new Waypoint { Name = "waypoint", Namespace = "app", Addresses = [IPAddress.Parse("198.18.1.50")] };
        var server = Server1 with { Waypoint = WaypointRef };
        var plan = Hbone(Plan(State([Client, server, wpPod], [], [waypoint]), Dst("198.18.2.10", 8080)));

        Assert.Equal(Dst("198.18.1.50", 15008), plan.Dial);
        Assert.Equal(Dst("198.18.2.10", 8080), plan.Target);
        Assert.Equal(wpPod.Identity, plan.ExpectedIdentity);
        Assert.Same(server, plan.DestinationWorkload);
    }

    [Fact]
    public void Plan_SourceIsTheWaypoint_GoesStraightToEndpoint()
    {
        var wpPod = Pod("app", "waypoint-abc", "198.18.1.50", sa: "waypoint", labels: (OutboundPlanner.GatewayNameLabel, "waypoint"));
        var waypoint = new Waypoint { Name = "waypoint", Namespace = "app", Addresses = [IPAddress.Parse("198.18.1.50")] };
        var svc = Svc("app", "server", "198.19.128.5", [Server1], waypoint: WaypointRef, ports: new ServicePort(80, 8080));
        var state = State([Client, Server1, wpPod], [svc], [waypoint]);

        var plan = Hbone(OutboundPlanner.Plan(state, wpPod, Dst("198.19.128.5", 80), new Random(1)));

        Assert.Null(plan.Waypoint);
        Assert.Equal(Dst("198.18.2.10", 15008), plan.Dial);
        Assert.Equal(Dst("198.18.2.10", 8080), plan.Target);
        Assert.Equal(wpPod.Identity, plan.SourceIdentity);
    }

    [Fact]
    public void Plan_SourceIsWaypointPodByAddressOnly_GoesStraightToPod()
    {
        var wpPod = Pod("app", "waypoint-abc", "198.18.1.50", sa: "waypoint");
        var waypoint = new Waypoint { Name = "waypoint", Namespace = "app", Addresses = [IPAddress.Parse("198.18.1.50")] };
        var server = Server1 with { Waypoint = WaypointRef };

        var plan = Hbone(OutboundPlanner.Plan(State([server, wpPod], [], [waypoint]), wpPod, Dst("198.18.2.10", 8080), new Random(1)));

        Assert.Null(plan.Waypoint);
        Assert.Equal(server.Identity, plan.ExpectedIdentity);
    }

    private sealed class FixedLoad(Dictionary<string, long> loads) : IEndpointLoad
    {
        public long Load(Workload endpoint) => loads[endpoint.Uid];
    }
}
