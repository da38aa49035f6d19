using System.Text.Json.Nodes;
using k8s;
using Mesh.Cli.Cluster;
using Mesh.Cli.Terminal;
using Mesh.Core;

namespace Mesh.Cli.Stat;

/// <summary>
/// A cluster's metrics endpoints, found through the API: the pods of the <c>ztunnel</c> DaemonSet in the mesh's
/// namespace (by its selector) and the pods of every Gateway of class <c>mesh-waypoint</c>, each scraped on :15020
/// through the API server's pod proxy (nothing else needs to reach the pod network).
/// </summary>
internal static class KubeTargets
{
    public static async Task<IReadOnlyList<ScrapeTarget>> FindAsync(IKubernetes client, string meshNamespace, CancellationToken ct)
    {
        var targets = new List<ScrapeTarget>();
        var daemonSet = await KubeCall.FindAsync($"read daemonset {meshNamespace}/ztunnel",
            () => client.AppsV1.ReadNamespacedDaemonSetAsync("ztunnel", meshNamespace, cancellationToken: ct))
            ?? throw new StatException($"no daemonset {meshNamespace}/ztunnel: install the mesh (meshctl install) or pass the mesh's namespace with --mesh-namespace");
        var selector = string.Join(",", (daemonSet.Spec?.Selector?.MatchLabels ?? new Dictionary<string, string>()).Select(l => $"{l.Key}={l.Value}"));
        var ztunnels = await KubeCall.RunAsync($"list ztunnel pods in {meshNamespace}",
            () => client.CoreV1.ListNamespacedPodAsync(meshNamespace, labelSelector: selector, cancellationToken: ct));
        foreach (var p in ztunnels.Items.Where(p => p.Status?.Phase == "Running"))
        {
            targets.Add(Target($"ztunnel {p.Spec?.NodeName ?? p.Metadata.Name}", p.Metadata.NamespaceProperty, p.Metadata.Name));
        }
        var gateways = await KubeCall.RunAsync("list Gateways",
            () => client.CustomObjects.ListClusterCustomObjectAsync<JsonObject>("gateway.networking.k8s.io", "v1", "gateways", cancellationToken: ct));
        foreach (var g in (gateways["items"] as JsonArray ?? []).OfType<JsonObject>())
        {
            if ((string?)g["spec"]?["gatewayClassName"] != MeshLabels.WaypointGatewayClass)
            {
                continue;
            }
            var ns = (string)g["metadata"]!["namespace"]!;
            var name = (string)g["metadata"]!["name"]!;
            var pods = await KubeCall.RunAsync($"list the pods of waypoint {ns}/{name}",
                () => client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: $"{LabTargets.GatewayNameLabel}={name}", cancellationToken: ct));
            targets.AddRange(pods.Items.Where(p => p.Status?.Phase == "Running").Select(p => Target($"waypoint {ns}/{p.Metadata.Name}", ns, p.Metadata.Name)));
        }
        return targets;
    }

    /// <summary>Refuses a namespace the cluster does not have (a typo would otherwise show an empty table).</summary>
    public static async Task CheckNamespaceAsync(IKubernetes client, string ns, CancellationToken ct)
    {
        if (await KubeCall.FindAsync($"read namespace {ns}", () => client.CoreV1.ReadNamespaceAsync(ns, cancellationToken: ct)) is null)
        {
            throw new UsageException($"namespace '{ns}' does not exist in the cluster; list them with kubectl get namespaces");
        }
    }

    private static ScrapeTarget Target(string name, string ns, string pod) =>
        new(name, new Uri($"http://{pod}:{LabTargets.MetricsPort}/metrics")) { PodNamespace = ns, PodName = pod };
}
