using System.Text.Json.Nodes;
using Mesh.ControlPlane.Waypoints;
using Mesh.Core;
using Mesh.Core.Metrics;
using Mesh.Waypoint;

namespace Mesh.Tests.Unit.ControlPlane.Waypoints;

public sealed class WaypointPlanTests
{
    private static readonly WaypointSettings Settings = new()
    {
        Image = "registry.example/mesh/waypoint:1.2.3",
        ControlPlaneNamespace = "mesh-system",
        TrustDomain = "corp.example",
        TokenAudience = "mesh-controlplane",
    };

    public static JsonObject Gateway(string ns = "apps", string name = "waypoint", string gatewayClass = "mesh-waypoint", long generation = 1) => new()
    {
        ["apiVersion"] = "gateway.networking.k8s.io/v1",
        ["kind"] = "Gateway",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns, ["uid"] = $"uid-{ns}-{name}", ["generation"] = generation },
        ["spec"] = new JsonObject
        {
            ["gatewayClassName"] = gatewayClass,
            ["listeners"] = new JsonArray(new JsonObject { ["name"] = "mesh", ["port"] = 15008, ["protocol"] = "HBONE" }),
        },
    };

    [Fact]
    public void IsWaypoint_ClassName_OnlyMeshWaypoint()
    {
        Assert.True(WaypointPlan.IsWaypoint(Gateway()));
        Assert.False(WaypointPlan.IsWaypoint(Gateway(gatewayClass: "istio-waypoint")));
        Assert.False(WaypointPlan.IsWaypoint(new JsonObject { ["metadata"] = new JsonObject() }));
    }

    [Fact]
    public void Desired_Gateway_ObjectsNamedAfterItInItsNamespaceAndOwnedByIt()
    {
        var objects = WaypointPlan.Desired(Gateway(), Settings, "PEM");

        Assert.Equal(["ServiceAccount", "ConfigMap", "Deployment", "Service"], objects.All.Select(o => (string)o["kind"]!));
        Assert.Equal(["waypoint", "waypoint-root-cert", "waypoint", "waypoint"], objects.All.Select(o => (string)o["metadata"]!["name"]!));
        foreach (var obj in objects.All)
        {
            Assert.Equal("apps", (string)obj["metadata"]!["namespace"]!);
            var owner = Assert.Single(obj["metadata"]!["ownerReferences"]!.AsArray())!;
            Assert.Equal("gateway.networking.k8s.io/v1", (string)owner["apiVersion"]!);
            Assert.Equal("Gateway", (string)owner["kind"]!);
            Assert.Equal("waypoint", (string)owner["name"]!);
            Assert.Equal("uid-apps-waypoint", (string)owner["uid"]!);
            Assert.True((bool)owner["controller"]!);
            Assert.Equal("waypoint", (string)obj["metadata"]!["labels"]!["gateway.networking.k8s.io/gateway-name"]!);
            Assert.Equal(WaypointPlan.ManagedBy, (string)obj["metadata"]!["labels"]![WaypointPlan.ManagedByLabel]!);
        }
        Assert.Equal("PEM", (string)objects.ConfigMap["data"]![WaypointPlan.RootCertKey]!);
    }

    [Fact]
    public void Desired_Gateway_WithoutUid_Throws()
    {
        var gateway = Gateway();
        gateway["metadata"]!.AsObject().Remove("uid");

        var e = Assert.Throws<ArgumentException>(() => WaypointPlan.Desired(gateway, Settings, "PEM"));
        Assert.Contains("apps/waypoint has no uid", e.Message);
    }

    [Fact]
    public void Desired_Deployment_PodSelectedByGatewayLabelNotCapturedRunsAsGatewayServiceAccount()
    {
        var deployment = WaypointPlan.Desired(Gateway(), Settings, "PEM").Deployment;
        var spec = deployment["spec"]!;
        var template = spec["template"]!;
        var podLabels = template["metadata"]!["labels"]!.AsObject();

        Assert.Equal("waypoint", (string)spec["selector"]!["matchLabels"]!["gateway.networking.k8s.io/gateway-name"]!);
        Assert.True(WaypointPlan.Covers(podLabels, spec["selector"]!["matchLabels"]));
        Assert.Equal(MeshLabels.DataplaneModeNone, (string)podLabels[MeshLabels.DataplaneMode]!);
        Assert.Equal("waypoint", (string)template["spec"]!["serviceAccountName"]!);
        Assert.False((bool)template["spec"]!["automountServiceAccountToken"]!);
        var container = Assert.Single(template["spec"]!["containers"]!.AsArray())!;
        Assert.Equal(Settings.Image, (string)container["image"]!);
        Assert.Equal(["ALL"], container["securityContext"]!["capabilities"]!["drop"]!.AsArray().Select(c => (string)c!));
    }

    [Fact]
    public void Desired_Deployment_ArgsAndEnvParseAsTheWaypointReadsThem()
    {
        var pod = WaypointPlan.Desired(Gateway(), Settings, "PEM").Deployment["spec"]!["template"]!["spec"]!;
        var container = pod["containers"]![0]!;
        var args = container["args"]!.AsArray().Select(a => (string)a!).ToList();
        // The kubelet resolves the fieldRefs; here the pod's values stand in for them.
        var fieldValues = new Dictionary<string, string> { ["spec.nodeName"] = "node-a", ["metadata.namespace"] = "apps", ["spec.serviceAccountName"] = "waypoint" };
        var env = container["env"]!.AsArray().ToDictionary(e => (string)e!["name"]!,
            e => (string?)e!["value"] ?? fieldValues[(string)e!["valueFrom"]!["fieldRef"]!["fieldPath"]!]);

        var options = WaypointOptions.Parse(args, env.GetValueOrDefault);

        Assert.Equal(new Uri("https://controlplane.mesh-system.svc:15012"), options.ControlPlane);
        Assert.Equal("node-a", options.Node);
        Assert.Equal(new Mesh.Core.Model.NamespacedName("apps", "waypoint"), options.GatewayKey);
        Assert.Equal("spiffe://corp.example/ns/apps/sa/waypoint", options.Identity.ToString());
        Assert.Equal(WaypointPlan.HbonePort, options.HbonePort);
        var mounts = container["volumeMounts"]!.AsArray().ToDictionary(m => (string)m!["name"]!, m => (string)m!["mountPath"]!);
        Assert.Equal(options.RootCertFile, $"{mounts["root-cert"]}/{WaypointPlan.RootCertKey}");
        Assert.StartsWith(mounts["mesh-token"] + "/", options.TokenFile);
        var token = pod["volumes"]!.AsArray().Single(v => (string)v!["name"]! == "mesh-token")!["projected"]!["sources"]![0]!["serviceAccountToken"]!;
        Assert.Equal("mesh-controlplane", (string)token["audience"]!);
        Assert.Equal(Path.GetFileName(options.TokenFile), (string)token["path"]!);
        var rootVolume = pod["volumes"]!.AsArray().Single(v => (string)v!["name"]! == "root-cert")!;
        Assert.Equal(WaypointPlan.RootCertConfigMap("waypoint"), (string)rootVolume["configMap"]!["name"]!);
    }

    [Fact]
    public void Desired_Service_HboneAndTelemetryPortsToTheNamedContainerPorts()
    {
        var objects = WaypointPlan.Desired(Gateway(), Settings, "PEM");
        var ports = objects.Service["spec"]!["ports"]!.AsArray().ToDictionary(p => (int)p!["port"]!, p => (string)p!["targetPort"]!);
        var containerPorts = objects.Deployment["spec"]!["template"]!["spec"]!["containers"]![0]!["ports"]!.AsArray()
            .ToDictionary(p => (string)p!["name"]!, p => (int)p!["containerPort"]!);
        var probe = objects.Deployment["spec"]!["template"]!["spec"]!["containers"]![0]!["readinessProbe"]!["httpGet"]!;

        Assert.Equal([15008, TelemetryRoutes.MetricsPort, TelemetryRoutes.ReadinessPort], ports.Keys);
        Assert.All(ports, p => Assert.Equal(p.Key, containerPorts[p.Value]));
        Assert.Equal(objects.Deployment["spec"]!["selector"]!["matchLabels"]!.ToJsonString(), objects.Service["spec"]!["selector"]!.ToJsonString());
        Assert.Equal(TelemetryRoutes.ReadinessPath, (string)probe["path"]!);
        Assert.Equal(TelemetryRoutes.ReadinessPort, containerPorts[(string)probe["port"]!]);
    }

    [Fact]
    public void Covers_LiveWithServerDefaults_NoDrift()
    {
        var desired = WaypointPlan.Desired(Gateway(), Settings, "PEM").Service;
        var live = desired.DeepClone().AsObject();
        live["spec"]!["clusterIP"] = "10.96.0.12";
        live["spec"]!["sessionAffinity"] = "None";
        live["metadata"]!["resourceVersion"] = "17";
        live["status"] = new JsonObject { ["loadBalancer"] = new JsonObject() };

        Assert.True(WaypointPlan.Covers(live, desired));
    }

    [Fact]
    public void Covers_ChangedOrMissingField_Drift()
    {
        var desired = WaypointPlan.Desired(Gateway(), Settings, "PEM").Deployment;
        var image = desired.DeepClone().AsObject();
        image["spec"]!["template"]!["spec"]!["containers"]![0]!["image"] = "someone/else:latest";
        var noArgs = desired.DeepClone().AsObject();
        noArgs["spec"]!["template"]!["spec"]!["containers"]![0]!.AsObject().Remove("args");
        var extraPort = desired.DeepClone().AsObject();
        extraPort["spec"]!["template"]!["spec"]!["containers"]![0]!["ports"]!.AsArray().Add(new JsonObject { ["containerPort"] = 80 });

        Assert.False(WaypointPlan.Covers(image, desired));
        Assert.False(WaypointPlan.Covers(noArgs, desired));
        Assert.False(WaypointPlan.Covers(extraPort, desired));
        Assert.False(WaypointPlan.Covers(null, desired));
    }
}
