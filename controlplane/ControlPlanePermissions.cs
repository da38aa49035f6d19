using Mesh.ControlPlane.Kubernetes;
using Mesh.ControlPlane.Leadership;
using Mesh.ControlPlane.Waypoints;

namespace Mesh.ControlPlane;

/// <summary>
/// Every API permission the control plane uses, gathered from the parts that make the calls, so the chart's RBAC
/// can be checked against it (grant nothing more, miss nothing): cluster-wide for the registry, TokenReview and
/// the waypoint controller; in its own namespace for the leader Lease.
/// </summary>
public static class ControlPlanePermissions
{
    /// <summary>(apiGroup, resource, verb) granted by the ClusterRole.</summary>
    public static IReadOnlySet<(string Group, string Resource, string Verb)> ClusterWide { get; } = Build();

    /// <summary>(apiGroup, resource, verb) granted by the Role in the control plane's namespace.</summary>
    public static IReadOnlySet<(string Group, string Resource, string Verb)> InNamespace { get; } =
        LeaderElection.LeaseVerbs.Select(v => ("coordination.k8s.io", "leases", v)).ToHashSet();

    private static HashSet<(string, string, string)> Build()
    {
        var grants = new HashSet<(string, string, string)>();
        foreach (var r in KubeResource.All.Concat(WaypointController.Watched))
        {
            grants.Add((r.Group, r.Plural, "list"));
            grants.Add((r.Group, r.Plural, "watch"));
        }
        grants.Add(("authentication.k8s.io", "tokenreviews", "create"));
        // Server-side apply needs patch, and create when the object does not exist yet.
        foreach (var r in WaypointController.Owned)
        {
            grants.Add((r.Group, r.Plural, "create"));
            grants.Add((r.Group, r.Plural, "patch"));
            grants.Add((r.Group, r.Plural, "delete"));
        }
        grants.Add((KubeResource.Gateways.Group, KubeResource.Gateways.Plural + "/status", "patch"));
        return grants;
    }
}
