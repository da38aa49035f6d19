using Mesh.ControlPlane.Registry;
using Mesh.ControlPlane.Translation;
using Mesh.Lab.Model;
using Mesh.Lab.Parsing;
using Mesh.Lab.Planning;

namespace Mesh.Tests.Unit.Waypoint;

/// <summary>What the control plane and the lab do for waypoint pods (translator: never captured; lab: the waypoint's environment).</summary>
public sealed class WaypointPodTranslationTests
{
    private const string Cluster = """
        apiVersion: v1
        kind: Namespace
        metadata: {name: app, labels: {mesh.dev/dataplane-mode: ambient}}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: waypoint, namespace: app, labels: {gateway.networking.k8s.io/gateway-name: waypoint}}
        spec: {nodeName: node2, serviceAccountName: waypoint, containers: [{name: w, command: [waypoint]}]}
        status: {podIP: 198.18.2.4}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: ingress, namespace: app, labels: {gateway.networking.k8s.io/gateway-name: ingress}}
        spec: {nodeName: node2, containers: [{name: w, command: [sleep]}]}
        status: {podIP: 198.18.2.5}
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata: {name: waypoint, namespace: app}
        spec: {gatewayClassName: mesh-waypoint, listeners: [{name: mesh, port: 15008, protocol: HBONE}]}
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata: {name: ingress, namespace: app}
        spec: {gatewayClassName: other, listeners: [{name: http, port: 80, protocol: HTTP}]}
        """;

    [Fact]
    public void Translate_WaypointPodInAmbientNamespace_NotCaptured_OtherGatewayPodsAre()
    {
        var state = MeshTranslator.Translate(YamlDocuments.Parse(Cluster)).State;

        Assert.False(state.WorkloadsByUid["app/waypoint"].Captured);
        Assert.True(state.WorkloadsByUid["app/ingress"].Captured);
        Assert.Equal("198.18.2.4", Assert.Single(Assert.Single(state.Waypoints).Addresses).ToString());
    }

    [Fact]
    public void Plan_WaypointPod_GetsGatewayControlPlaneBundleAndNodeToken()
    {
        var file = LabFileParser.Parse(Cluster, "w.yaml", "/tmp");
        var plan = LabPlanner.Plan(file, "wtest", new LabEnvironment("/run/mesh-lab", "/sys/fs/cgroup"));

        var env = plan.Pods.Single(p => p.Name == "waypoint").Env.ToDictionary(kv => kv.Key, kv => kv.Value);
        Assert.Equal("waypoint", env["GATEWAY_NAME"]);
        Assert.Equal("https://198.19.0.1:15012", env["MESH_CONTROL_PLANE"]);
        Assert.Equal("/run/mesh-lab/wtest/mesh/cp/ca/trust-bundle.pem", env["MESH_ROOT_CERT"]);
        Assert.Equal("/run/mesh-lab/wtest/mesh/tokens/node2", env["MESH_TOKEN_FILE"]);
        Assert.DoesNotContain(plan.Pods.Single(p => p.Name == "ingress").Env, kv => kv.Key == "MESH_TOKEN_FILE");
    }
}
