using Mesh.Lab.Model;
using Mesh.Lab.Runtime;

namespace Mesh.Cli.Stat;

/// <summary>
/// The lab's metrics endpoints, from its lab.json: each node's ztunnel on the node address :15020 inside the node's
/// network namespace, and each waypoint pod (labelled <c>gateway.networking.k8s.io/gateway-name</c>) on 127.0.0.1:15020
/// inside the pod's. Pure.
/// </summary>
internal static class LabTargets
{
    public const int MetricsPort = 15020;
    public const string GatewayNameLabel = "gateway.networking.k8s.io/gateway-name";

    public static IReadOnlyList<ScrapeTarget> From(LabState state)
    {
        var targets = new List<ScrapeTarget>();
        foreach (var n in state.Nodes)
        {
            targets.Add(new ScrapeTarget($"ztunnel {n.Name}", new Uri($"http://{n.Ip}:{MetricsPort}/metrics")) { NetnsPath = n.NetnsPath });
        }
        foreach (var p in state.Pods.Where(p => p.Labels.ContainsKey(GatewayNameLabel)))
        {
            targets.Add(new ScrapeTarget($"waypoint {p.Namespace}/{p.Name}", new Uri($"http://127.0.0.1:{MetricsPort}/metrics")) { NetnsPath = p.NetnsPath });
        }
        return targets;
    }

    /// <summary>The namespaces a lab knows: its pods' and services'.</summary>
    public static IReadOnlySet<string> Namespaces(LabState state) =>
        state.Pods.Select(p => p.Namespace).Concat(state.Services.Select(s => s.Namespace)).ToHashSet(StringComparer.Ordinal);
}
