using System.Text.Json.Nodes;
using Mesh.ControlPlane.Translation;
using Mesh.Core;
using Mesh.Core.Metrics;

namespace Mesh.ControlPlane.Waypoints;

/// <summary>
/// The waypoint controller's decision, without I/O: for a Gateway of class <c>mesh-waypoint</c>, the
/// ServiceAccount, trust-bundle ConfigMap, Deployment and Service it should own (Istio's shape: all named after
/// the Gateway, labelled <c>gateway.networking.k8s.io/gateway-name</c>, owned by the Gateway so deleting it
/// garbage-collects them), and whether a live object has drifted from that.
/// </summary>
public static class WaypointPlan
{
    public const string ManagedByLabel = "app.kubernetes.io/managed-by";
    public const string ManagedBy = "mesh-waypoint-controller";
    public const string ContainerName = "waypoint";
    public const int HbonePort = 15008;
    public const string RootCertKey = "root-cert.pem";
    public const string RootCertDir = "/etc/mesh/root";
    public const string TokenDir = "/var/run/secrets/mesh";
    public const long TokenSeconds = 3600;

    /// <summary>True for a Gateway this controller owns: gatewayClassName mesh-waypoint.</summary>
    public static bool IsWaypoint(JsonObject gateway) =>
        (string?)(gateway["spec"] as JsonObject)?["gatewayClassName"] == MeshLabels.WaypointGatewayClass;

    /// <summary>The ConfigMap holding the mesh trust bundle for the waypoint of <paramref name="gateway"/>.</summary>
    public static string RootCertConfigMap(string gateway) => gateway + "-root-cert";

    /// <summary>The objects for <paramref name="gateway"/>; <paramref name="trustBundlePem"/> is the CA's current bundle.</summary>
    public static WaypointObjects Desired(JsonObject gateway, WaypointSettings settings, string trustBundlePem)
    {
        var meta = gateway["metadata"] as JsonObject ?? throw new ArgumentException("the Gateway has no metadata");
        var name = (string?)meta["name"] ?? throw new ArgumentException("the Gateway has no name");
        var ns = (string?)meta["namespace"] ?? throw new ArgumentException("the Gateway has no namespace");
        var uid = (string?)meta["uid"] ?? throw new ArgumentException($"Gateway {ns}/{name} has no uid (not read from the API server?)");

        JsonObject Metadata(string objectName) => new()
        {
            ["name"] = objectName,
            ["namespace"] = ns,
            ["labels"] = Labels(name),
            ["ownerReferences"] = new JsonArray(new JsonObject
            {
                ["apiVersion"] = "gateway.networking.k8s.io/v1",
                ["kind"] = "Gateway",
                ["name"] = name,
                ["uid"] = uid,
                ["controller"] = true,
                ["blockOwnerDeletion"] = true,
            }),
        };

        var serviceAccount = new JsonObject { ["apiVersion"] = "v1", ["kind"] = "ServiceAccount", ["metadata"] = Metadata(name) };
        var configMap = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "ConfigMap",
            ["metadata"] = Metadata(RootCertConfigMap(name)),
            ["data"] = new JsonObject { [RootCertKey] = trustBundlePem },
        };
        var deployment = new JsonObject
        {
            ["apiVersion"] = "apps/v1",
            ["kind"] = "Deployment",
            ["metadata"] = Metadata(name),
            ["spec"] = new JsonObject
            {
                ["replicas"] = 1,
                ["selector"] = new JsonObject { ["matchLabels"] = Selector(name) },
                ["template"] = new JsonObject
                {
                    ["metadata"] = new JsonObject { ["labels"] = PodLabels(name) },
                    ["spec"] = PodSpec(name, settings),
                },
            },
        };
        var service = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Service",
            ["metadata"] = Metadata(name),
            ["spec"] = new JsonObject
            {
                ["type"] = "ClusterIP",
                ["selector"] = Selector(name),
                ["ports"] = new JsonArray(
                    ServicePort("mesh", HbonePort, "hbone"),
                    ServicePort("http-monitoring", TelemetryRoutes.MetricsPort, "http-monitoring"),
                    ServicePort("status-port", TelemetryRoutes.ReadinessPort, "status-port")),
            },
        };
        return new WaypointObjects(serviceAccount, configMap, deployment, service);
    }

    /// <summary>The waypoint's command line, as <c>waypoint</c> parses it (the rest comes from the pod's environment).</summary>
    public static IReadOnlyList<string> Args(WaypointSettings settings) =>
    [
        "--control-plane", settings.ControlPlaneUrl,
        "--root-cert", $"{RootCertDir}/{RootCertKey}",
        "--token-file", $"{TokenDir}/token",
        "--trust-domain", settings.TrustDomain,
        "--hbone-port", HbonePort.ToString(System.Globalization.CultureInfo.InvariantCulture),
    ];

    /// <summary>
    /// True when <paramref name="live"/> holds every field of <paramref name="desired"/> with the same value
    /// (the API server adds defaults and status; those do not count as drift). Arrays match element by element.
    /// </summary>
    public static bool Covers(JsonNode? live, JsonNode? desired) => (live, desired) switch
    {
        (_, null) => true,
        (null, _) => false,
        (JsonObject l, JsonObject d) => d.All(p => l.TryGetPropertyValue(p.Key, out var v) && Covers(v, p.Value)),
        (JsonArray l, JsonArray d) => l.Count == d.Count && d.Select((x, i) => Covers(l[i], x)).All(ok => ok),
        (JsonValue l, JsonValue d) => l.ToJsonString() == d.ToJsonString(),
        _ => false,
    };

    private static JsonObject Selector(string gateway) => new() { [GatewayTranslator.GatewayNameLabel] = gateway };

    private static JsonObject Labels(string gateway) => new()
    {
        [GatewayTranslator.GatewayNameLabel] = gateway,
        [ManagedByLabel] = ManagedBy,
    };

    // The waypoint's own traffic is never captured by ztunnel (Istio labels its waypoints the same way).
    private static JsonObject PodLabels(string gateway)
    {
        var labels = Labels(gateway);
        labels[MeshLabels.DataplaneMode] = MeshLabels.DataplaneModeNone;
        return labels;
    }

    private static JsonObject PodSpec(string gateway, WaypointSettings settings) => new()
    {
        ["serviceAccountName"] = gateway,
        // The only credential is the projected token below, for the control plane's audience; no API server token.
        ["automountServiceAccountToken"] = false,
        ["securityContext"] = new JsonObject
        {
            ["runAsNonRoot"] = true,
            ["runAsUser"] = 65532,
            ["runAsGroup"] = 65532,
            ["seccompProfile"] = new JsonObject { ["type"] = "RuntimeDefault" },
        },
        ["containers"] = new JsonArray(new JsonObject
        {
            ["name"] = ContainerName,
            ["image"] = settings.Image,
            ["imagePullPolicy"] = settings.PullPolicy,
            ["args"] = new JsonArray([.. Args(settings).Select(a => (JsonNode?)a)]),
            ["env"] = new JsonArray(
                FieldEnv("NODE_NAME", "spec.nodeName"),
                FieldEnv("POD_NAMESPACE", "metadata.namespace"),
                FieldEnv("SERVICE_ACCOUNT", "spec.serviceAccountName"),
                new JsonObject { ["name"] = "GATEWAY_NAME", ["value"] = gateway }),
            ["ports"] = new JsonArray(
                ContainerPort("hbone", HbonePort),
                ContainerPort("http-monitoring", TelemetryRoutes.MetricsPort),
                ContainerPort("status-port", TelemetryRoutes.ReadinessPort)),
            ["readinessProbe"] = new JsonObject
            {
                ["httpGet"] = new JsonObject { ["path"] = TelemetryRoutes.ReadinessPath, ["port"] = "status-port" },
                ["periodSeconds"] = 5,
            },
            ["securityContext"] = new JsonObject
            {
                ["allowPrivilegeEscalation"] = false,
                ["readOnlyRootFilesystem"] = true,
                ["capabilities"] = new JsonObject { ["drop"] = new JsonArray("ALL") },
            },
            ["volumeMounts"] = new JsonArray(
                new JsonObject { ["name"] = "mesh-token", ["mountPath"] = TokenDir, ["readOnly"] = true },
                new JsonObject { ["name"] = "root-cert", ["mountPath"] = RootCertDir, ["readOnly"] = true },
                new JsonObject { ["name"] = "tmp", ["mountPath"] = "/tmp" }),
        }),
        ["volumes"] = new JsonArray(
            new JsonObject
            {
                ["name"] = "mesh-token",
                ["projected"] = new JsonObject
                {
                    ["sources"] = new JsonArray(new JsonObject
                    {
                        ["serviceAccountToken"] = new JsonObject
                        {
                            ["audience"] = settings.TokenAudience,
                            ["expirationSeconds"] = TokenSeconds,
                            ["path"] = "token",
                        },
                    }),
                },
            },
            new JsonObject { ["name"] = "root-cert", ["configMap"] = new JsonObject { ["name"] = RootCertConfigMap(gateway) } },
            new JsonObject { ["name"] = "tmp", ["emptyDir"] = new JsonObject() }),
    };

    private static JsonObject FieldEnv(string name, string path) => new()
    {
        ["name"] = name,
        ["valueFrom"] = new JsonObject { ["fieldRef"] = new JsonObject { ["fieldPath"] = path } },
    };

    private static JsonObject ContainerPort(string name, int port) => new()
    {
        ["name"] = name,
        ["containerPort"] = port,
        ["protocol"] = "TCP",
    };

    private static JsonObject ServicePort(string name, int port, string target) => new()
    {
        ["name"] = name,
        ["port"] = port,
        ["targetPort"] = target,
        ["protocol"] = "TCP",
    };
}
