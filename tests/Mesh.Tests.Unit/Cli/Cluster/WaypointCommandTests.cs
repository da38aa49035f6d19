using Mesh.Cli.Cluster;
using Mesh.Core;

namespace Mesh.Tests.Unit.Cli.Cluster;

/// <summary>meshctl waypoint apply against the stand-in API server (<see cref="FakeCluster"/>: no kube-apiserver runs here).</summary>
public sealed class WaypointCommandTests
{
    [Fact]
    public async Task ApplyAsync_ForService_CreatesAMeshWaypointGatewayAndLeavesTheNamespace()
    {
        await using var cluster = await FakeCluster.StartAsync();
        cluster.Namespace("apps");
        using var client = cluster.Client();
        var output = new StringWriter();

        var exit = await WaypointCommand.ApplyAsync(client, "apps", "waypoint", forNamespace: false, output, CancellationToken.None);

        Assert.Equal(0, exit);
        var gateway = cluster.Server.Get(FakeCluster.Gateways, "apps", "waypoint");
        Assert.NotNull(gateway);
        Assert.Equal(MeshLabels.WaypointGatewayClass, gateway["spec"]!["gatewayClassName"]!.ToString());
        var listener = Assert.Single(gateway["spec"]!["listeners"]!.AsArray())!;
        Assert.Equal(15008, (int)listener["port"]!);
        Assert.Equal("HBONE", listener["protocol"]!.ToString());
        Assert.DoesNotContain(MeshLabels.UseWaypoint, cluster.Labels(FakeCluster.Namespaces, null, "apps").Keys);
        Assert.Contains("gateway apps/waypoint created (class mesh-waypoint)", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("kubectl label service -n apps NAME mesh.dev/use-waypoint=waypoint", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ApplyAsync_ForNamespaceTwice_UpdatesTheGatewayAndLabelsTheNamespace()
    {
        await using var cluster = await FakeCluster.StartAsync();
        cluster.Namespace("apps");
        using var client = cluster.Client();
        await WaypointCommand.ApplyAsync(client, "apps", "edge", forNamespace: false, new StringWriter(), CancellationToken.None);
        var output = new StringWriter();

        await WaypointCommand.ApplyAsync(client, "apps", "edge", forNamespace: true, output, CancellationToken.None);

        Assert.Contains("gateway apps/edge updated", output.ToString(), StringComparison.Ordinal);
        Assert.Equal("edge", cluster.Labels(FakeCluster.Namespaces, null, "apps")[MeshLabels.UseWaypoint]);
        Assert.Single(cluster.Server.State(FakeCluster.Gateways));
    }

    [Fact]
    public async Task ApplyAsync_MissingNamespace_SaysToCreateIt()
    {
        await using var cluster = await FakeCluster.StartAsync();
        using var client = cluster.Client();

        var e = await Assert.ThrowsAsync<ClusterException>(() => WaypointCommand.ApplyAsync(client, "apps", "waypoint", false, new StringWriter(), CancellationToken.None));

        Assert.Equal("namespace apps does not exist; create it first (kubectl create namespace apps)", e.Message);
        Assert.Empty(cluster.Server.State(FakeCluster.Gateways));
    }

    [Fact]
    public async Task ApplyAsync_NoGatewayApi_SaysToInstallItsCrds()
    {
        await using var cluster = await FakeCluster.StartAsync();
        cluster.Namespace("apps");
        // Without the CRDs the API server serves neither the object nor the collection.
        cluster.Server.SetServed("/apis/gateway.networking.k8s.io/v1/namespaces/apps/gateways", served: false);
        cluster.Server.SetServed("/apis/gateway.networking.k8s.io/v1/namespaces/apps/gateways/waypoint", served: false);
        using var client = cluster.Client();

        var e = await Assert.ThrowsAsync<ClusterException>(() => WaypointCommand.ApplyAsync(client, "apps", "waypoint", false, new StringWriter(), CancellationToken.None));

        Assert.Contains("install the Gateway API CRDs first", e.Message, StringComparison.Ordinal);
    }
}
