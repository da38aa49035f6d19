using System.Text.Json.Nodes;
using k8s;
using Mesh.Core;

namespace Mesh.Cli.Cluster;

/// <summary>
/// What <c>meshctl check --pre</c> (before install) and <c>meshctl check</c> (after) ask the API server: its version,
/// the CRDs, every node's OS and kernel (as the kubelet reports them), and after install the mesh's own objects and
/// whether its pods are ready. One <see cref="CheckLine"/> each.
/// </summary>
internal static class ClusterChecks
{
    private const string ApiExtensions = "apiextensions.k8s.io";

    public static async Task<List<CheckLine>> RunAsync(IKubernetes client, bool pre, string ns, CancellationToken ct)
    {
        var lines = new List<CheckLine>();
        var version = await KubeCall.RunAsync("read the API server's version", () => client.Version.GetCodeAsync(ct));
        lines.Add(Prerequisites.Kubernetes(version.GitVersion));
        foreach (var crd in Prerequisites.GatewayApiCrds)
        {
            lines.Add(Prerequisites.Crd(crd, await CrdAsync(client, crd, ct), "v1", Prerequisites.GatewayApiInstall));
        }
        var nodes = await KubeCall.RunAsync("list nodes", () => client.CoreV1.ListNodeAsync(cancellationToken: ct));
        if (nodes.Items.Count == 0)
        {
            lines.Add(CheckLine.Fail("nodes", "the cluster has no nodes; add Linux nodes"));
        }
        foreach (var node in nodes.Items)
        {
            var info = node.Status?.NodeInfo;
            lines.Add(Prerequisites.Node(node.Metadata.Name, info?.OperatingSystem, info?.KernelVersion, info?.Architecture));
        }
        if (pre)
        {
            return lines;
        }
        var policies = $"authorizationpolicies.{MeshLabels.SecurityApiGroup}";
        lines.Add(Prerequisites.Crd(policies, await CrdAsync(client, policies, ct), "v1", "install the mesh: meshctl install"));
        var gatewayClass = await KubeCall.FindAsync("read the mesh-waypoint GatewayClass",
            () => client.CustomObjects.GetClusterCustomObjectAsync<JsonObject>("gateway.networking.k8s.io", "v1", "gatewayclasses", MeshLabels.WaypointGatewayClass, ct));
        lines.Add(gatewayClass is null
            ? CheckLine.Fail($"gatewayclass {MeshLabels.WaypointGatewayClass}", "missing: install the mesh with waypoint.gatewayClass=true (the default)")
            : CheckLine.Ok($"gatewayclass {MeshLabels.WaypointGatewayClass}", $"controller {gatewayClass["spec"]?["controllerName"]}"));
        var deployment = await KubeCall.FindAsync($"read deployment {ns}/controlplane", () => client.AppsV1.ReadNamespacedDeploymentAsync("controlplane", ns, cancellationToken: ct));
        lines.Add(deployment is null
            ? CheckLine.Fail("control plane", $"no deployment {ns}/controlplane: install the mesh (meshctl install)")
            : Ready("control plane", deployment.Status?.ReadyReplicas ?? 0, deployment.Spec?.Replicas ?? 1, $"kubectl -n {ns} describe deployment controlplane"));
        var daemonSet = await KubeCall.FindAsync($"read daemonset {ns}/ztunnel", () => client.AppsV1.ReadNamespacedDaemonSetAsync("ztunnel", ns, cancellationToken: ct));
        lines.Add(daemonSet is null
            ? CheckLine.Fail("ztunnel", $"no daemonset {ns}/ztunnel: install the mesh (meshctl install)")
            : Ready("ztunnel", daemonSet.Status?.NumberReady ?? 0, daemonSet.Status?.DesiredNumberScheduled ?? 0, $"kubectl -n {ns} logs daemonset/ztunnel -c ztunnel"));
        return lines;
    }

    private static CheckLine Ready(string name, int ready, int wanted, string look) =>
        ready >= wanted && wanted > 0
            ? CheckLine.Ok(name, $"{ready}/{wanted} ready")
            : CheckLine.Fail(name, $"{ready}/{wanted} ready; see {look}");

    private static Task<JsonObject?> CrdAsync(IKubernetes client, string name, CancellationToken ct) =>
        KubeCall.FindAsync($"read CRD {name}",
            () => client.CustomObjects.GetClusterCustomObjectAsync<JsonObject>(ApiExtensions, "v1", "customresourcedefinitions", name, ct));
}
