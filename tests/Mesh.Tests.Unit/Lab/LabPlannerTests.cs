using System.Net;
using Mesh.Lab;
using Mesh.Lab.Model;
using Mesh.Lab.Parsing;
using Mesh.Lab.Planning;

namespace Mesh.Tests.Unit.Lab;

public sealed class LabPlannerTests
{
    private static readonly LabEnvironment Env = new("/state", "/cg");

    private const string TwoByTwo = """
        kind: Namespace
        metadata: {name: demo, labels: {mesh.dev/dataplane-mode: ambient}}
        ---
        kind: Pod
        metadata: {name: client, namespace: demo, labels: {app: client}}
        spec: {nodeName: node1, containers: [{command: [sleep, infinity]}]}
        ---
        kind: Pod
        metadata: {name: echo-1, namespace: demo, labels: {app: echo}}
        spec: {nodeName: node1, containers: [{command: [../bin/echo, --port, "8080"]}]}
        ---
        kind: Pod
        metadata: {name: echo-2, namespace: demo, labels: {app: echo}}
        spec: {nodeName: node2, containers: [{command: [/usr/bin/echo]}]}
        ---
        kind: Pod
        metadata: {name: other, namespace: demo, labels: {app: other}}
        spec: {nodeName: node2, containers: [{command: [sleep, infinity]}]}
        ---
        kind: Service
        metadata: {name: echo, namespace: demo}
        spec: {selector: {app: echo}, ports: [{port: 80, targetPort: 8080}]}
        """;

    private static LabPlan Plan(string yaml, string lab = "t1") =>
        LabPlanner.Plan(LabFileParser.Parse(yaml, "f.yaml", "/labs/x"), lab, Env);

    [Fact]
    public void Plan_TwoNodesTwoPods_AssignsNodeAndPodAddresses()
    {
        var p = Plan(TwoByTwo);

        Assert.Equal([("node1", 1, "198.19.0.11", "198.18.1.0/24"), ("node2", 2, "198.19.0.12", "198.18.2.0/24")],
            p.Nodes.Select(n => (n.Name, n.Index, n.Ip, n.PodCidr)));
        Assert.Equal([("client", "198.18.1.2"), ("echo-1", "198.18.1.3"), ("echo-2", "198.18.2.2"), ("other", "198.18.2.3")],
            p.Pods.Select(x => (x.Name, x.Ip)));
        Assert.All(p.Pods, x => Assert.Equal($"198.18.{x.NodeIndex}.1", x.Gateway));
        Assert.Equal("198.19.0.1", p.Fabric.Ip);
    }

    [Fact]
    public void Plan_Names_ArePrefixedByTheLab()
    {
        var p = Plan(TwoByTwo, "ab12");

        Assert.Equal("ab12-fabric", p.Fabric.Netns);
        Assert.Equal("ab12-br", p.Fabric.Bridge);
        Assert.Equal(["ab12-node1", "ab12-node2"], p.Nodes.Select(n => n.Netns));
        Assert.Equal(["ab12-n1", "ab12-n2"], p.Nodes.Select(n => n.FabricPort));
        Assert.Equal("ab12-demo-echo-2", p.Pods[2].Netns);
        Assert.Equal("/run/netns/ab12-demo-echo-2", p.Pods[2].NetnsPath);
        Assert.All(p.Pods, x => Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", x.KubeUid));
        Assert.Equal(p.Pods.Length, p.Pods.Select(x => x.KubeUid).Distinct().Count());
        Assert.All(p.AllNetns, n => Assert.StartsWith("ab12-", n, StringComparison.Ordinal));
    }

    [Fact]
    public void Plan_LongestLabNameAndManyPods_KeepsInterfaceNamesWithin15()
    {
        var pods = string.Concat(Enumerable.Range(0, 600).Select(i =>
            $"---\nkind: Pod\nmetadata: {{name: p{i}}}\nspec: {{nodeName: n{i % 3}, containers: [{{command: [x]}}]}}\n"));

        var p = Plan(pods, "abcdefgh");

        var names = p.Nodes.SelectMany(n => new[] { n.Uplink, n.FabricPort }).Append(p.Fabric.Bridge).ToList();
        Assert.All(names, n => Assert.InRange(n.Length, 1, LabNames.MaxInterfaceName));
        Assert.Equal(600, p.Pods.Select(x => x.Ip).Distinct().Count());
    }

    [Fact]
    public void Plan_Paths_LiveUnderStateAndCgroupRoots()
    {
        var p = Plan(TwoByTwo);

        Assert.Equal("/state/t1", p.StateDir);
        Assert.Equal("/state/t1/cluster", p.ClusterDir);
        Assert.Equal("/cg/mesh-lab/t1", p.CgroupDir);
        Assert.Equal($"/cg/mesh-lab/t1/kubepods/besteffort/pod{p.Pods[1].KubeUid}", p.Pods[1].CgroupPath);
        Assert.Equal("/state/t1/logs/demo_echo-1.log", p.Pods[1].LogPath);
        Assert.Equal("/cg/mesh-lab/t1/nodes/node2", p.Nodes[1].CgroupPath);
        Assert.Equal("/state/t1/nodes/node2", p.Nodes[1].StateDir);
        Assert.Equal("/cg/mesh-lab/t1/fabric", p.Fabric.CgroupPath);
    }

    [Fact]
    public void Ptp_Node2_HostLocalOnTheNodeRangeWithoutMasquerade()
    {
        var p = Plan(TwoByTwo);
        var pod = p.Pods[2];

        var config = LabCni.Ptp(p.Name, pod.NodeIndex, p.StateDir).ToJsonString();

        Assert.Equal("""{"cniVersion":"1.0.0","name":"mesh-lab-t1","type":"ptp","ipMasq":false,"ipam":{"type":"host-local","ranges":[[{"subnet":"198.18.2.0/24","gateway":"198.18.2.1"}]],"routes":[{"dst":"0.0.0.0/0"}],"dataDir":"/state/t1/cni/ipam"}}""", config);
        Assert.Equal("198.18.2.1", pod.Gateway);
        Assert.Contains($";K8S_POD_UID={pod.KubeUid};IP={pod.Ip}", LabCni.Args(pod.Sandbox, withIp: true), StringComparison.Ordinal);
    }

    [Fact]
    public void PlanAdditions_RunningLab_NextFreeAddressOfTheNodeAndKubepodsCgroup()
    {
        var state = Mesh.Lab.Runtime.LabStateFactory.FromPlan(Plan(TwoByTwo), "ready");
        var file = LabFileParser.Parse("""
            kind: Pod
            metadata: {name: late, namespace: demo}
            spec: {nodeName: node2, containers: [{command: [sleep, infinity]}]}
            """, "add.yaml", "/labs/x");

        var pod = Assert.Single(LabPlanner.PlanAdditions(file, state, Env));

        Assert.DoesNotContain(pod.Ip, state.Pods.Select(p => p.Ip));
        Assert.StartsWith("198.18.2.", pod.Ip, StringComparison.Ordinal);
        Assert.Equal("t1-demo-late", pod.Netns);
        Assert.Equal($"/cg/mesh-lab/t1/kubepods/besteffort/pod{pod.KubeUid}", pod.CgroupPath);
    }

    [Theory]
    [InlineData("client", "node1", "already in lab 't1'")]
    [InlineData("late", "node9", "has no node 'node9'")]
    public void PlanAdditions_ExistingPodOrUnknownNode_SaysWhatToDo(string name, string node, string says)
    {
        var state = Mesh.Lab.Runtime.LabStateFactory.FromPlan(Plan(TwoByTwo), "ready");
        var file = LabFileParser.Parse($$"""
            kind: Pod
            metadata: {name: {{name}}, namespace: demo}
            spec: {nodeName: {{node}}, containers: [{command: [sleep, infinity]}]}
            """, "add.yaml", "/labs/x");

        var e = Assert.Throws<LabException>(() => LabPlanner.PlanAdditions(file, state, Env));
        Assert.Contains(says, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_NodeRoutes_OtherNodesOnlyNoDefault()
    {
        var n1 = Plan(TwoByTwo).Nodes[0];

        Assert.Equal([
            "route add 198.18.2.0/24 via 198.19.0.12 dev eth0",
        ], n1.Routes.Select(r => r.ToIpArgs()));
    }

    [Fact]
    public void Plan_EveryNodeAndFabricRoute_StaysInsideTheLabRange()
    {
        var p = Plan(TwoByTwo);

        foreach (var r in p.Nodes.SelectMany(n => n.Routes).Concat(p.Fabric.Routes))
        {
            Assert.True(LabAddresses.CidrInside(r.Destination, LabAddresses.LabRange), r.ToIpArgs());
            Assert.True(r.Via is null || LabAddresses.InLab(IPAddress.Parse(r.Via)), r.ToIpArgs());
        }
        Assert.Equal(["198.18.1.0/24 via 198.19.0.11", "198.18.2.0/24 via 198.19.0.12"], p.Fabric.Routes.Select(r => $"{r.Destination} via {r.Via}"));
    }

    [Fact]
    public void Plan_Services_GetVipsInOrderAndEndpointsBySelector()
    {
        var p = Plan(TwoByTwo + """

            ---
            kind: Service
            metadata: {name: none, namespace: demo}
            spec: {selector: {app: nobody}, ports: [{port: 1}]}
            ---
            kind: Service
            metadata: {name: otherns, namespace: elsewhere}
            spec: {selector: {app: echo}, ports: [{port: 1}]}
            """);

        Assert.Equal([("echo", "198.19.128.1"), ("none", "198.19.128.2"), ("otherns", "198.19.128.3")], p.Services.Select(s => (s.Name, s.ClusterIp!)));
        Assert.Equal(["demo/echo-1", "demo/echo-2"], p.Services[0].EndpointUids.ToArray());
        Assert.Empty(p.Services[1].EndpointUids);
        Assert.Empty(p.Services[2].EndpointUids);
    }

    [Fact]
    public void Plan_ExplicitClusterIp_IsKeptAndSkippedByAllocation()
    {
        var p = Plan("""
            kind: Pod
            metadata: {name: a}
            spec: {nodeName: n, containers: [{command: [x]}]}
            ---
            kind: Service
            metadata: {name: auto}
            spec: {ports: [{port: 1}]}
            ---
            kind: Service
            metadata: {name: fixed}
            spec: {clusterIP: 198.19.128.1, ports: [{port: 1}]}
            ---
            kind: Service
            metadata: {name: headless}
            spec: {clusterIP: None, ports: [{port: 1}]}
            """);

        Assert.Equal([("auto", "198.19.128.2"), ("fixed", "198.19.128.1"), ("headless", null)], p.Services.Select(s => (s.Name, s.ClusterIp)));
    }

    [Fact]
    public void Plan_DuplicateClusterIp_IsAnError()
    {
        var e = Assert.Throws<LabException>(() => Plan("""
            kind: Pod
            metadata: {name: a}
            spec: {nodeName: n, containers: [{command: [x]}]}
            ---
            kind: Service
            metadata: {name: s1}
            spec: {clusterIP: 198.19.130.5, ports: [{port: 1}]}
            ---
            kind: Service
            metadata: {name: s2}
            spec: {clusterIP: 198.19.130.5, ports: [{port: 1}]}
            """));

        Assert.Equal("f.yaml: Service 'default/s2': spec.clusterIP: 198.19.130.5 is already used by Service 'default/s1'; pick another or remove it to get one allocated", e.Message);
    }

    [Fact]
    public void Plan_Commands_RelativePathsResolveAgainstTheLabFileFolder()
    {
        var p = Plan(TwoByTwo);

        Assert.Equal(["sleep", "infinity"], p.Pods[0].Command.ToArray());
        Assert.Equal(["/labs/bin/echo", "--port", "8080"], p.Pods[1].Command.ToArray());
        Assert.Equal("/usr/bin/echo", p.Pods[2].Command[0]);
    }

    [Fact]
    public void Plan_PodEnvironment_HasDownwardApiValuesThenTheFilesEnv()
    {
        var p = Plan("""
            kind: Pod
            metadata: {name: a, namespace: ns}
            spec: {nodeName: n, serviceAccountName: sa, containers: [{command: [x], env: [{name: K, value: V}]}]}
            """);

        Assert.Equal([("POD_NAME", "a"), ("POD_NAMESPACE", "ns"), ("POD_IP", "198.18.1.2"), ("NODE_NAME", "n"), ("SERVICE_ACCOUNT", "sa"), ("K", "V")],
            p.Pods[0].Env.Select(kv => (kv.Key, kv.Value)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("Demo")]
    [InlineData("toolongname")]
    [InlineData("a-b")]
    public void Plan_InvalidLabName_IsAnError(string name)
    {
        var e = Assert.Throws<LabException>(() => Plan(TwoByTwo, name));

        Assert.Equal($"lab name '{name}' is not valid; use 1-8 lowercase letters or digits (it prefixes every netns, link and cgroup)", e.Message);
    }

    [Fact]
    public void Plan_NetnsNameCollision_IsAnError()
    {
        var e = Assert.Throws<LabException>(() => Plan("""
            kind: Pod
            metadata: {name: b, namespace: a}
            spec: {nodeName: a-b, containers: [{command: [x]}]}
            """));

        Assert.Equal("f.yaml: Pod 'a/b': metadata.name: its network namespace 't1-a-b' collides with Node 'a-b'; rename one of them", e.Message);
    }

    [Fact]
    public void Plan_NodeNamedFabric_CollidesWithTheFabric()
    {
        var e = Assert.Throws<LabException>(() => Plan("kind: Pod\nmetadata: {name: a}\nspec: {nodeName: fabric, containers: [{command: [x]}]}\n"));

        Assert.Contains("collides with the fabric", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_NoPods_IsAnError()
    {
        var e = Assert.Throws<LabException>(() => Plan("kind: Namespace\nmetadata: {name: a}\n"));

        Assert.Equal("f.yaml: no Pod objects; a lab needs at least one Pod with spec.nodeName", e.Message);
    }

    [Fact]
    public void Plan_TooManyPodsOnANode_IsAnError()
    {
        var pods = string.Concat(Enumerable.Range(0, LabAddresses.MaxPodsPerNode + 1).Select(i =>
            $"---\nkind: Pod\nmetadata: {{name: p{i}}}\nspec: {{nodeName: n, containers: [{{command: [x]}}]}}\n"));

        var e = Assert.Throws<LabException>(() => Plan(pods));

        Assert.Equal($"f.yaml: Pod 'default/p253': spec.nodeName: node 'n' already has 253 pods; the lab supports at most 253 per node, move some to another node", e.Message);
    }

    [Fact]
    public void Plan_LastPodOnAFullNode_GetsAddress254()
    {
        var pods = string.Concat(Enumerable.Range(0, LabAddresses.MaxPodsPerNode).Select(i =>
            $"---\nkind: Pod\nmetadata: {{name: p{i}}}\nspec: {{nodeName: n, containers: [{{command: [x]}}]}}\n"));

        Assert.Equal("198.18.1.254", Plan(pods).Pods[^1].Ip);
    }
}
