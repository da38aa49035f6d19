using System.Net;
using System.Text.Json.Nodes;
using Mesh.Cli;
using Mesh.Cli.Stat;
using Mesh.Cli.Terminal;
using Mesh.Core.Metrics;

namespace Mesh.Tests.Unit.Cli.Stat;

/// <summary>
/// meshctl stat's cluster side against the stand-in API server (<see cref="FakeCluster"/>; no kube-apiserver runs here):
/// the ztunnel DaemonSet's pods and the mesh-waypoint Gateways' pods, read through the API server's pod proxy from real
/// metrics servers (core TelemetryServer) on loopback addresses standing in for the pod IPs.
/// </summary>
public sealed class KubeTargetsTests
{
    private static readonly string Base = $"127.{Random.Shared.Next(1, 250)}.{Random.Shared.Next(1, 250)}.";
    private const string Pods = "/api/v1/pods";

    private static JsonObject Pod(string ns, string name, string ip, string label, string value, string node = "node-1") => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Pod",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns, ["labels"] = new JsonObject { [label] = value } },
        ["spec"] = new JsonObject { ["nodeName"] = node },
        ["status"] = new JsonObject { ["phase"] = "Running", ["podIP"] = ip },
    };

    private static async Task<FakeCluster> MeshAsync(string ztunnelIp, string waypointIp)
    {
        var cluster = await FakeCluster.StartAsync();
        cluster.Namespace("mesh-system");
        cluster.Namespace("app");
        cluster.Server.Upsert(FakeCluster.DaemonSets, new JsonObject
        {
            ["apiVersion"] = "apps/v1",
            ["kind"] = "DaemonSet",
            ["metadata"] = new JsonObject { ["name"] = "ztunnel", ["namespace"] = "mesh-system" },
            ["spec"] = new JsonObject { ["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["app.kubernetes.io/name"] = "ztunnel" } } },
        });
        cluster.Server.Upsert(Pods, Pod("mesh-system", "ztunnel-abcde", ztunnelIp, "app.kubernetes.io/name", "ztunnel"));
        cluster.Server.Upsert(Pods, Pod("mesh-system", "controlplane-0", Base + "99", "app.kubernetes.io/name", "controlplane"));
        foreach (var (name, cls) in new[] { ("waypoint", "mesh-waypoint"), ("ingress", "other") })
        {
            cluster.Server.Upsert(FakeCluster.Gateways, new JsonObject
            {
                ["apiVersion"] = "gateway.networking.k8s.io/v1",
                ["kind"] = "Gateway",
                ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = "app" },
                ["spec"] = new JsonObject { ["gatewayClassName"] = cls },
            });
            cluster.Server.Upsert(Pods, Pod("app", name + "-7f9c", name == "waypoint" ? waypointIp : Base + "98", LabTargets.GatewayNameLabel, name));
        }
        return cluster;
    }

    private static TelemetryServer Serve(string ip, MetricsRegistry registry) =>
        TelemetryServer.Start(new IPEndPoint(IPAddress.Parse(ip), LabTargets.MetricsPort), [TelemetryRoutes.Metrics(registry)]);

    [Fact]
    public async Task FindAsync_MeshInstalled_ZtunnelPodsAndMeshWaypointPodsOnly()
    {
        await using var cluster = await MeshAsync(Base + "1", Base + "2");
        using var client = cluster.Client();

        var targets = await KubeTargets.FindAsync(client, "mesh-system", CancellationToken.None);

        Assert.Equal([("ztunnel node-1", "mesh-system", "ztunnel-abcde"), ("waypoint app/waypoint-7f9c", "app", "waypoint-7f9c")],
            targets.Select(t => (t.Name, t.PodNamespace!, t.PodName!)));
    }

    [Fact]
    public async Task NextAsync_ThroughPodProxy_RequestsBetweenTheScrapesCounted()
    {
        await using var cluster = await MeshAsync(Base + "1", Base + "2");
        var registry = new MetricsRegistry();
        var requests = registry.Factory.CreateCounter("istio_requests_total", "requests",
            "reporter", "destination_workload", "destination_workload_namespace", "response_code");
        await using var waypoint = Serve(Base + "2", registry);
        await using var ztunnel = Serve(Base + "1", new MetricsRegistry());
        using var client = cluster.Client();
        var targets = await KubeTargets.FindAsync(client, "mesh-system", CancellationToken.None);
        Prometheus.Counter.Child Labels(string code) => requests.WithLabels("waypoint", "reviews-v1", "app", code);
        Labels("200").Inc(1000);
        var progress = new StringWriter();
        using var source = new ScrapeStatSource(targets, new MetricsScraper(client), TimeSpan.FromSeconds(2), StatGrouping.Workload, "app", progress);

        var next = source.NextAsync(CancellationToken.None);
        await WaitForAsync(() => progress.ToString().Contains("scraped 2 endpoint(s)", StringComparison.Ordinal));
        Labels("200").Inc(45);
        Labels("503").Inc(5);
        var result = await next;

        var row = Assert.Single(result.Rows);
        Assert.Equal(("app", "reviews-v1", 50.0), (row.Namespace, row.Name, row.Requests));
        Assert.Equal(0.9, row.SuccessRate!.Value, 9);
        Assert.Contains(cluster.Server.Requests, r => r.Path == $"/api/v1/namespaces/app/pods/waypoint-7f9c:{LabTargets.MetricsPort}/proxy/metrics");
    }

    [Fact]
    public async Task NextAsync_PodNotAnswering_OneLineNamingIt()
    {
        await using var cluster = await MeshAsync(Base + "3", Base + "4");
        using var client = cluster.Client();
        var targets = await KubeTargets.FindAsync(client, "mesh-system", CancellationToken.None);
        using var source = new ScrapeStatSource(targets, new MetricsScraper(client), TimeSpan.FromMilliseconds(100), StatGrouping.Workload, null, new StringWriter());

        var e = await Assert.ThrowsAsync<StatException>(() => source.NextAsync(CancellationToken.None));

        Assert.StartsWith("cannot scrape ", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public async Task CheckNamespaceAsync_Unknown_UsageError()
    {
        await using var cluster = await MeshAsync(Base + "1", Base + "2");
        using var client = cluster.Client();

        await KubeTargets.CheckNamespaceAsync(client, "app", CancellationToken.None);
        var e = await Assert.ThrowsAsync<UsageException>(() => KubeTargets.CheckNamespaceAsync(client, "nosuch", CancellationToken.None));

        Assert.Equal("namespace 'nosuch' does not exist in the cluster; list them with kubectl get namespaces", e.Message);
    }

    [Fact]
    public async Task FindAsync_NoZtunnelDaemonSet_SaysToInstall()
    {
        await using var cluster = await FakeCluster.StartAsync();
        using var client = cluster.Client();

        var e = await Assert.ThrowsAsync<StatException>(() => KubeTargets.FindAsync(client, "mesh-system", CancellationToken.None));

        Assert.Contains("install the mesh (meshctl install)", e.Message, StringComparison.Ordinal);
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out");
            await Task.Delay(10);
        }
    }
}
