using System.Collections.Immutable;
using Mesh.Cli.Stat;
using Mesh.Lab.Model;
using Mesh.Lab.Runtime;

namespace Mesh.Tests.Unit.Cli.Stat;

public sealed class LabTargetsTests
{
    private static PodState Pod(string ns, string name, string ip, params (string K, string V)[] labels) =>
        new($"{ns}/{name}", name, ns, "node2", "default", ip, $"t-{ns}-{name}", $"/run/netns/t-{ns}-{name}", "/cg", "/log", 1,
            labels.ToImmutableSortedDictionary(l => l.K, l => l.V), []);

    private static readonly LabState State = new()
    {
        Name = "t",
        Phase = "ready",
        SourceFile = "lab.yaml",
        CreatedAt = DateTimeOffset.UnixEpoch,
        StateDir = "/run/mesh-lab/t",
        ClusterDir = "/run/mesh-lab/t/cluster",
        LogDir = "/run/mesh-lab/t/logs",
        CgroupDir = "/cg",
        Fabric = new FabricState("t-fabric", "/run/netns/t-fabric", "t-br", "198.19.0.1", "/cg/fabric"),
        Nodes = [new NodeState("node1", 1, "t-node1", "/run/netns/t-node1", "198.19.0.11", "198.18.1.0/24", "/cg/n1", "/s1"),
            new NodeState("node2", 2, "t-node2", "/run/netns/t-node2", "198.19.0.12", "198.18.2.0/24", "/cg/n2", "/s2")],
        Pods = [Pod("app", "client", "198.18.1.2"), Pod("app", "waypoint", "198.18.2.3", ("gateway.networking.k8s.io/gateway-name", "waypoint"))],
        Services = [new ServiceState("echo", "web", "198.19.128.1", [], ImmutableSortedDictionary<string, string>.Empty, [])],
    };

    [Fact]
    public void From_LabWithWaypoint_EachZtunnelInItsNodeAndTheWaypointInItsPod()
    {
        var targets = LabTargets.From(State);

        Assert.Equal(
            [
                ("ztunnel node1", "http://198.19.0.11:15020/metrics", "/run/netns/t-node1"),
                ("ztunnel node2", "http://198.19.0.12:15020/metrics", "/run/netns/t-node2"),
                ("waypoint app/waypoint", "http://127.0.0.1:15020/metrics", "/run/netns/t-app-waypoint"),
            ],
            targets.Select(t => (t.Name, t.Url.ToString(), t.NetnsPath!)));
    }

    [Fact]
    public void Namespaces_PodsAndServices_Both() =>
        Assert.Equal(["app", "web"], LabTargets.Namespaces(State).Order(StringComparer.Ordinal));
}
