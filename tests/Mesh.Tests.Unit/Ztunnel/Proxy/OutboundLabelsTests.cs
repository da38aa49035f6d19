using System.Net;
using Mesh.Core.Model;
using Mesh.Ztunnel.Outbound;
using Mesh.Ztunnel.Proxy;
using static Mesh.Tests.Unit.Ztunnel.TestWorkloads;

namespace Mesh.Tests.Unit.Ztunnel.Proxy;

using Waypoint = Mesh.Core.Model.Waypoint;

public sealed class OutboundLabelsTests
{
    private static readonly Workload Client = Pod("app", "client", "198.18.1.10", sa: "client", labels: ("app", "client"));
    private static readonly Workload Server = Pod("app", "server", "198.18.2.10", sa: "server", node: "node2", labels: [("app", "server"), ("version", "v1")]);
    private static readonly Service ServerSvc = Svc("app", "server", "198.19.128.5", [Server], ports: new ServicePort(80, 8080));
    private static readonly MeshState State = State([Client, Server], [ServerSvc]);

    private static OutboundPlan.Hbone PlanToService() =>
        Assert.IsType<OutboundPlan.Hbone>(OutboundPlanner.Plan(State, Client, new IPEndPoint(IPAddress.Parse("198.19.128.5"), 80), new Random(1)));

    private static OutboundPlan.Passthrough PlanOutOfMesh(Random random) =>
        Assert.IsType<OutboundPlan.Passthrough>(OutboundPlanner.Plan(State, Client, new IPEndPoint(IPAddress.Parse("198.18.9.9"), 443), random));

    [Fact]
    public void For_HbonePlan_IstioLabels()
    {
        var labels = OutboundLabels.For(PlanToService());

        Assert.Equal("source", labels["reporter"]);
        Assert.Equal("client", labels["source_workload"]);
        Assert.Equal("app", labels["source_workload_namespace"]);
        Assert.Equal("spiffe://cluster.local/ns/app/sa/client", labels["source_principal"]);
        Assert.Equal("server", labels["destination_workload"]);
        Assert.Equal("app", labels["destination_workload_namespace"]);
        Assert.Equal("spiffe://cluster.local/ns/app/sa/server", labels["destination_principal"]);
        Assert.Equal("server.app.svc.cluster.local", labels["destination_service"]);
        Assert.Equal("server", labels["destination_service_name"]);
        Assert.Equal("v1", labels["destination_version"]);
        Assert.Equal("server", labels["destination_canonical_service"]);
        Assert.Equal("v1", labels["destination_canonical_revision"]);
        Assert.Equal("latest", labels["source_canonical_revision"]);
        Assert.Equal("mutual_tls", labels["connection_security_policy"]);
        Assert.Equal("tcp", labels["request_protocol"]);
    }

    [Fact]
    public void For_Passthrough_UnknownDestinationAndNoTls()
    {
        var labels = OutboundLabels.For(PlanOutOfMesh(new Random(1)));

        Assert.Equal("none", labels["connection_security_policy"]);
        Assert.Equal("unknown", labels["destination_workload"]);
        Assert.Equal("unknown", labels["destination_principal"]);
        Assert.Equal("unknown", labels["destination_service"]);
    }

    [Fact]
    public void For_PodThroughWaypoint_DestinationPrincipalIsThePodNotTheWaypoint()
    {
        var wpPod = Pod("app", "waypoint-abc", "198.18.1.50", sa: "waypoint");
        var waypoint = new Waypoint { Name = "waypoint", Namespace = "app", Addresses = [IPAddress.Parse("198.18.1.50")] };
        var server = Server with { Waypoint = new NamespacedName("app", "waypoint") };
        var plan = Assert.IsType<OutboundPlan.Hbone>(OutboundPlanner.Plan(State([Client, server, wpPod], [], [waypoint]), Client,
            new IPEndPoint(IPAddress.Parse("198.18.2.10"), 8080), new Random(1)));

        var labels = OutboundLabels.For(plan);

        Assert.Equal(wpPod.Identity, plan.ExpectedIdentity);
        Assert.Equal("spiffe://cluster.local/ns/app/sa/server", labels["destination_principal"]);
        Assert.Equal("server", labels["destination_workload"]);
        Assert.Equal("mutual_tls", labels["connection_security_policy"]);
    }
}
