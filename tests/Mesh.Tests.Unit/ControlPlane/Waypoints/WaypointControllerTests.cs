using System.Text.Json.Nodes;
using Mesh.ControlPlane.Waypoints;
using Mesh.Tests.Common;
using static Mesh.Tests.Unit.ControlPlane.Waypoints.WaypointCluster;

namespace Mesh.Tests.Unit.ControlPlane.Waypoints;

/// <summary>The waypoint controller against the stand-in API server (<see cref="FakeKubeApiServer"/>; no API server can run here).</summary>
public sealed class WaypointControllerTests : IAsyncLifetime
{
    private readonly CancellationTokenSource _stop = new();
    private FakeKubeApiServer _server = null!;
    private k8s.Kubernetes _client = null!;
    private Task _run = Task.CompletedTask;
    private string _bundle = "-----BEGIN CERTIFICATE-----\nroot-1\n-----END CERTIFICATE-----\n";

    public async Task InitializeAsync()
    {
        _server = await FakeKubeApiServer.StartAsync();
        _client = Client(_server, "controlplane");
    }

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        await _run;
        _client.Dispose();
        await _server.DisposeAsync();
    }

    private void Start(TimeSpan? resync = null)
    {
        var controller = new WaypointController(_client, new WaypointSettings { Image = "mesh/waypoint:test" }, () => Volatile.Read(ref _bundle),
            informerOptions: FastInformers) { ResyncPeriod = resync ?? TimeSpan.FromSeconds(60) };
        _run = Task.Run(() => controller.RunAsync(_stop.Token));
    }

    [Fact]
    public async Task RunAsync_WaypointGatewayAppears_OwnedObjectsAndProgrammedStatusWithServiceAddress()
    {
        Start();
        var uid = AddGateway(_server, "apps", "waypoint");

        await WaitForAsync(_server, () => IsProgrammed(_server, "apps", "waypoint"), "Gateway apps/waypoint Programmed");

        foreach (var (path, name) in OwnedPaths.Select(p => (p, p == ConfigMaps ? "waypoint-root-cert" : "waypoint")))
        {
            var obj = _server.Get(path, "apps", name) ?? throw new Xunit.Sdk.XunitException($"{path} apps/{name} was not created");
            var owner = Assert.Single(obj["metadata"]!["ownerReferences"]!.AsArray())!;
            Assert.Equal((uid, "Gateway", "waypoint"), ((string)owner["uid"]!, (string)owner["kind"]!, (string)owner["name"]!));
        }
        var gateway = _server.Get(Gateways, "apps", "waypoint")!;
        var service = _server.Get(Services, "apps", "waypoint")!;
        var conditions = gateway["status"]!["conditions"]!.AsArray().ToDictionary(c => (string)c!["type"]!, c => c!);
        Assert.Equal(("True", "Accepted", 1L), ((string)conditions["Accepted"]["status"]!, (string)conditions["Accepted"]["reason"]!, (long)conditions["Accepted"]["observedGeneration"]!));
        Assert.Equal(("True", "Programmed"), ((string)conditions["Programmed"]["status"]!, (string)conditions["Programmed"]["reason"]!));
        Assert.Equal((string)service["spec"]!["clusterIP"]!, (string)gateway["status"]!["addresses"]![0]!["value"]!);
        Assert.Equal("mesh/waypoint:test", (string)_server.Get(Deployments, "apps", "waypoint")!["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]!);
        Assert.Equal(_bundle, (string)_server.Get(ConfigMaps, "apps", "waypoint-root-cert")!["data"]!["root-cert.pem"]!);
    }

    [Fact]
    public async Task RunAsync_GatewayOfAnotherClass_Ignored()
    {
        Start();
        AddGateway(_server, "apps", "ingress", gatewayClass: "istio");
        AddGateway(_server, "apps", "waypoint");

        // The controller handles events in order; once the later waypoint is done, the earlier Gateway has been seen.
        await WaitForAsync(_server, () => IsProgrammed(_server, "apps", "waypoint"), "Gateway apps/waypoint Programmed");

        Assert.All(OwnedPaths, p => Assert.DoesNotContain(_server.State(p).Keys, k => k.StartsWith("apps/ingress", StringComparison.Ordinal)));
        Assert.Null(_server.Get(Gateways, "apps", "ingress")!["status"]);
        Assert.DoesNotContain(_server.Requests, r => r.Method == "PATCH" && r.Path.Contains("/ingress", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunAsync_GatewayDeleted_ObjectsCollectedAndNotRecreated()
    {
        Start();
        AddGateway(_server, "apps", "waypoint");
        await WaitForAsync(_server, () => IsProgrammed(_server, "apps", "waypoint"), "Gateway apps/waypoint Programmed");

        _server.Delete(Gateways, "apps", "waypoint");
        AddGateway(_server, "apps", "other");
        await WaitForAsync(_server, () => IsProgrammed(_server, "apps", "other"), "Gateway apps/other Programmed");

        Assert.All(OwnedPaths, p => Assert.DoesNotContain(_server.State(p).Keys, k => k is "apps/waypoint" or "apps/waypoint-root-cert"));
    }

    [Fact]
    public async Task RunAsync_DeploymentEditedByHand_Restored()
    {
        Start();
        AddGateway(_server, "apps", "waypoint");
        await WaitForAsync(_server, () => IsProgrammed(_server, "apps", "waypoint"), "Gateway apps/waypoint Programmed");

        var edited = _server.Get(Deployments, "apps", "waypoint")!;
        edited["spec"]!["template"]!["spec"]!["containers"]![0]!["image"] = "someone/else:latest";
        _server.Upsert(Deployments, edited);

        await WaitForAsync(_server, () => (string?)_server.Get(Deployments, "apps", "waypoint")?["spec"]?["template"]?["spec"]?["containers"]?[0]?["image"] == "mesh/waypoint:test",
            "the Deployment's image restored");
    }

    [Fact]
    public async Task RunAsync_DeletedServiceAndNewTrustBundle_RecreatedAndUpdated()
    {
        Start(resync: TimeSpan.FromMilliseconds(300));
        AddGateway(_server, "apps", "waypoint");
        await WaitForAsync(_server, () => IsProgrammed(_server, "apps", "waypoint"), "Gateway apps/waypoint Programmed");
        var firstIp = (string)_server.Get(Services, "apps", "waypoint")!["spec"]!["clusterIP"]!;

        _server.Delete(Services, "apps", "waypoint");
        Volatile.Write(ref _bundle, "-----BEGIN CERTIFICATE-----\nroot-2\n-----END CERTIFICATE-----\n");

        await WaitForAsync(_server, () => _server.Get(Services, "apps", "waypoint")?["spec"]?["clusterIP"] is JsonValue ip && (string)ip! != firstIp
            && (string?)_server.Get(Gateways, "apps", "waypoint")?["status"]?["addresses"]?[0]?["value"] == (string)ip!, "a new Service and its address in the status");
        await WaitForAsync(_server, () => ((string?)_server.Get(ConfigMaps, "apps", "waypoint-root-cert")?["data"]?["root-cert.pem"])?.Contains("root-2") == true,
            "the new trust bundle in the ConfigMap");
    }

    [Fact]
    public async Task RunAsync_GatewayLeavesTheClass_ObjectsDeleted()
    {
        Start();
        AddGateway(_server, "apps", "waypoint");
        await WaitForAsync(_server, () => IsProgrammed(_server, "apps", "waypoint"), "Gateway apps/waypoint Programmed");

        var gateway = _server.Get(Gateways, "apps", "waypoint")!;
        gateway["spec"]!["gatewayClassName"] = "istio";
        _server.Upsert(Gateways, gateway);

        await WaitForAsync(_server, () => OwnedPaths.All(p => !_server.State(p).Keys.Any(k => k.StartsWith("apps/waypoint", StringComparison.Ordinal))),
            "the waypoint's objects deleted");
        Assert.NotNull(_server.Get(Gateways, "apps", "waypoint"));
    }

    [Fact]
    public async Task RunAsync_Steady_NoWritesWithoutChange()
    {
        Start(resync: TimeSpan.FromMilliseconds(200));
        AddGateway(_server, "apps", "waypoint");
        await WaitForAsync(_server, () => IsProgrammed(_server, "apps", "waypoint"), "Gateway apps/waypoint Programmed");
        var versions = OwnedPaths.Append(Gateways).SelectMany(p => _server.State(p).Select(o => (p + " " + o.Key, o.Value))).ToList();

        // Two more resyncs: each re-applies the unwatched objects, which must change nothing (no new resourceVersion anywhere).
        var applies = _server.Requests.Count(r => r.Method == "PATCH");
        await WaitForAsync(_server, () => _server.Requests.Count(r => r.Method == "PATCH") >= applies + 4, "two more resyncs");

        Assert.Equal(versions, OwnedPaths.Append(Gateways).SelectMany(p => _server.State(p).Select(o => (p + " " + o.Key, o.Value))).ToList());
    }
}
