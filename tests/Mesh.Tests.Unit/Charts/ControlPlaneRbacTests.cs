using System.Text.Json.Nodes;
using Mesh.ControlPlane;
using Mesh.ControlPlane.Kubernetes;
using Mesh.Tests.Common.Charts;
using static Mesh.Tests.Common.Charts.RenderedChart;

namespace Mesh.Tests.Unit.Charts;

/// <summary>RBAC grants exactly what the control plane uses (<see cref="ControlPlanePermissions"/>: list/watch of what its
/// Kubernetes registry reads, TokenReview create, the waypoint controller's writes cluster-wide; the leader Lease in its
/// namespace). ztunnel gets nothing.</summary>
public sealed class ControlPlaneRbacTests
{
    /// <summary>Every (group, resource, verb) a role grants.</summary>
    private static HashSet<(string Group, string Resource, string Verb)> Grants(JsonObject role) =>
        [.. role["rules"]!.AsArray().OfType<JsonObject>().SelectMany(r =>
            from g in Strings(r["apiGroups"])
            from res in Strings(r["resources"])
            from v in Strings(r["verbs"])
            select (g, res, v))];

    [HelmFact]
    public async Task ClusterRole_Rules_AreExactlyTheControlPlanesClusterWideCalls()
    {
        var chart = await Default;
        var role = chart.Get("ClusterRole", "mesh-controlplane");

        Assert.Equal(ControlPlanePermissions.ClusterWide.OrderBy(e => e.ToString()), Grants(role).OrderBy(e => e.ToString()));
        Assert.Contains(("", "pods", "list"), Grants(role));
        Assert.Contains(("apps", "deployments", "patch"), Grants(role));
        AssertNarrow(role);
    }

    [HelmFact]
    public async Task Role_Rules_AreExactlyTheLeaderLeaseInTheReleaseNamespace()
    {
        var chart = await Default;
        var o = ControlPlaneManifestTests.ParsedArgs(chart);
        var role = chart.Get("Role", "mesh-controlplane-leader");

        Assert.Equal(o.Namespace, role["metadata"]!["namespace"]!.ToString());
        Assert.Equal(ControlPlanePermissions.InNamespace.OrderBy(e => e.ToString()), Grants(role).OrderBy(e => e.ToString()));
        AssertNarrow(role);
    }

    private static void AssertNarrow(JsonObject role) =>
        Assert.All(role["rules"]!.AsArray().OfType<JsonObject>(), r =>
        {
            Assert.Null(r["resourceNames"]);
            Assert.Null(r["nonResourceURLs"]);
            Assert.DoesNotContain("*", Strings(r["verbs"]).Concat(Strings(r["resources"])).Concat(Strings(r["apiGroups"])));
        });

    [HelmFact]
    public async Task Rbac_Bindings_GiveTheRoleOnlyToTheControlPlane()
    {
        var chart = await Default;
        var o = ControlPlaneManifestTests.ParsedArgs(chart);

        foreach (var (kind, role) in new[] { ("ClusterRoleBinding", "mesh-controlplane"), ("RoleBinding", "mesh-controlplane-leader") })
        {
            var binding = Assert.Single(chart.OfKind(kind));
            Assert.Equal(role, binding["roleRef"]!["name"]!.ToString());
            var subject = Assert.Single(binding["subjects"]!.AsArray())!;
            Assert.Equal("ServiceAccount", subject["kind"]!.ToString());
            Assert.Equal(o.ServiceAccount, subject["name"]!.ToString());
            Assert.Equal(o.Namespace, subject["namespace"]!.ToString());
        }
        Assert.Single(chart.OfKind("Role"));
        Assert.Single(chart.OfKind("ClusterRole"));
        // ztunnel never calls the API server: no role, and no API token mounted.
        Assert.False((bool)PodSpec(chart.Ztunnel)["automountServiceAccountToken"]!);
    }
}
