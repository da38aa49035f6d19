extern alias cni;

using System.Text.Json.Nodes;
using Mesh.Cli.Check;
using Mesh.Core;

namespace Mesh.Tests.Unit.Cli.Cluster;

/// <summary>meshctl check --pre / check against the stand-in API server (<see cref="FakeCluster"/>: no kube-apiserver runs here), this node's CNI on a temp folder.</summary>
public sealed class ClusterChecksTests
{
    private static async Task<(int Exit, string[] Lines)> CheckAsync(FakeCluster cluster, bool pre)
    {
        using var client = cluster.Client();
        var output = new StringWriter();
        var exit = await CheckCommand.RunClusterAsync(client, pre, MeshLabels.RootNamespace, cluster.CniConfDir, output, terminal: false, CancellationToken.None);
        return (exit, output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    /// <summary>The table row of <paramref name="check"/>, its column gaps as two spaces ("node a  FAIL  kernel ...").</summary>
    private static string Row(string[] lines, string check) =>
        System.Text.RegularExpressions.Regex.Replace(Assert.Single(lines, l => l.StartsWith(check + "  ", StringComparison.Ordinal)), @" {2,}", "  ");

    [Fact]
    public async Task RunClusterAsync_PreOnAReadyCluster_PassesWithOneRowPerPrerequisite()
    {
        await using var cluster = await FakeCluster.StartAsync();
        cluster.Prerequisites();
        File.WriteAllText(Path.Combine(cluster.CniConfDir, "10-kindnet.conflist"), Mesh.Tests.Unit.Cni.Install.ConfLists.Kindnet);

        var (exit, lines) = await CheckAsync(cluster, pre: true);

        Assert.True(exit == 0, string.Join('\n', lines));
        Assert.Matches(@"^kubernetes\s+ok\s+v1\.31\.2 \(at least 1\.26\)$", Row(lines, "kubernetes"));
        Assert.Contains("ok", Row(lines, "crd gateways.gateway.networking.k8s.io"), StringComparison.Ordinal);
        Assert.Contains("kernel 6.1.0-27-cloud-amd64", Row(lines, "node node-b"), StringComparison.Ordinal);
        Assert.Contains("(ptp, portmap): mesh-cni can be chained after it", Row(lines, "cni (this node)"), StringComparison.Ordinal);
        Assert.Equal("cluster: ready for the mesh (next: meshctl install)", lines[^1]);
    }

    [Fact]
    public async Task RunClusterAsync_PreMissingPrerequisites_FailsEachWithWhatToDo()
    {
        await using var cluster = await FakeCluster.StartAsync();
        cluster.Server.KubernetesVersion = "v1.25.16";
        cluster.Crd("gateways.gateway.networking.k8s.io", version: "v1beta1");
        cluster.Node("old", "5.4.0-150-generic");
        cluster.Node("win", "10.0.20348.2700", os: "windows");

        var (exit, lines) = await CheckAsync(cluster, pre: true);

        Assert.Equal(1, exit);
        Assert.Contains("FAIL  v1.25.16 is older than 1.26; upgrade the cluster", Row(lines, "kubernetes"), StringComparison.Ordinal);
        Assert.Contains("installed but does not serve v1; install the Gateway API CRDs: kubectl apply -f", Row(lines, "crd gateways.gateway.networking.k8s.io"), StringComparison.Ordinal);
        Assert.Contains("FAIL  not installed; install the Gateway API CRDs", Row(lines, "crd httproutes.gateway.networking.k8s.io"), StringComparison.Ordinal);
        Assert.Contains("kernel 5.4.0-150-generic is older than 5.10", Row(lines, "node old"), StringComparison.Ordinal);
        Assert.Contains("skip", Row(lines, "node win"), StringComparison.Ordinal);
        Assert.Contains("no CNI configuration (*.conf, *.conflist, *.json) in", Row(lines, "cni (this node)"), StringComparison.Ordinal);
        Assert.Equal("cluster: 6 check(s) failed; fix them before installing", lines[^1]);
    }

    [Fact]
    public async Task RunClusterAsync_AfterInstall_ReportsTheMeshObjectsAndReadiness()
    {
        await using var cluster = await FakeCluster.StartAsync();
        cluster.Prerequisites();
        cluster.Crd($"authorizationpolicies.{MeshLabels.SecurityApiGroup}");
        File.WriteAllText(Path.Combine(cluster.CniConfDir, "10-kindnet.conflist"),
            cni::Mesh.Cni.Install.ConfListChain.Chain("10-kindnet.conflist", Mesh.Tests.Unit.Cni.Install.ConfLists.Kindnet, "/var/run/mesh/cni.sock").Text);
        cluster.Server.Upsert(FakeCluster.GatewayClasses, new JsonObject { ["metadata"] = new JsonObject { ["name"] = "mesh-waypoint" }, ["spec"] = new JsonObject { ["controllerName"] = "mesh.dev/waypoint" } });
        cluster.Server.Upsert(FakeCluster.Deployments, new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = "controlplane", ["namespace"] = "mesh-system" },
            ["spec"] = new JsonObject { ["replicas"] = 1 },
            ["status"] = new JsonObject { ["readyReplicas"] = 1 },
        });
        cluster.Server.Upsert(FakeCluster.DaemonSets, new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = "ztunnel", ["namespace"] = "mesh-system" },
            ["status"] = new JsonObject { ["desiredNumberScheduled"] = 2, ["numberReady"] = 1 },
        });

        var (exit, lines) = await CheckAsync(cluster, pre: false);

        Assert.Equal(1, exit);
        Assert.Contains("ok  1/1 ready", Row(lines, "control plane"), StringComparison.Ordinal);
        Assert.Contains("FAIL  1/2 ready; see kubectl -n mesh-system logs daemonset/ztunnel -c ztunnel", Row(lines, "ztunnel"), StringComparison.Ordinal);
        Assert.Contains("controller mesh.dev/waypoint", Row(lines, "gatewayclass mesh-waypoint"), StringComparison.Ordinal);
        Assert.Contains("ok", Row(lines, $"crd authorizationpolicies.{MeshLabels.SecurityApiGroup}"), StringComparison.Ordinal);
        Assert.Contains("mesh-cni is chained", Row(lines, "cni (this node)"), StringComparison.Ordinal);
        Assert.Equal("cluster: 1 check(s) failed; fix them", lines[^1]);
    }
}
