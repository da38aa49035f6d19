using System.Text.Json.Nodes;
using Mesh.ControlPlane.Kubernetes;
using Mesh.Tests.Common.Charts;
using static Mesh.Tests.Common.Charts.RenderedChart;

namespace Mesh.Tests.Unit.Charts;

/// <summary>RBAC grants exactly what the control plane uses: list/watch of what its Kubernetes registry reads
/// (<see cref="KubeResource.All"/>) and TokenReview create. ztunnel gets nothing.</summary>
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
    public async Task ClusterRole_Rules_AreExactlyTheWatchedResourcesAndTokenReview()
    {
        var chart = await Default;
        var role = chart.Get("ClusterRole", "mesh-controlplane");

        var expected = KubeResource.All.SelectMany(r => new[] { (r.Group, r.Plural, "list"), (r.Group, r.Plural, "watch") }).ToHashSet();
        expected.Add(("authentication.k8s.io", "tokenreviews", "create"));
        Assert.Equal(expected.OrderBy(e => e.ToString()), Grants(role).OrderBy(e => e.ToString()));
        Assert.All(role["rules"]!.AsArray().OfType<JsonObject>(), r =>
        {
            Assert.Null(r["resourceNames"]);
            Assert.Null(r["nonResourceURLs"]);
            Assert.DoesNotContain("*", Strings(r["verbs"]).Concat(Strings(r["resources"])).Concat(Strings(r["apiGroups"])));
        });
    }

    [HelmFact]
    public async Task Rbac_Bindings_GiveTheRoleOnlyToTheControlPlane()
    {
        var chart = await Default;
        var o = ControlPlaneManifestTests.ParsedArgs(chart);

        var binding = Assert.Single(chart.OfKind("ClusterRoleBinding"));
        Assert.Equal("mesh-controlplane", binding["roleRef"]!["name"]!.ToString());
        var subject = Assert.Single(binding["subjects"]!.AsArray())!;
        Assert.Equal("ServiceAccount", subject["kind"]!.ToString());
        Assert.Equal(o.ServiceAccount, subject["name"]!.ToString());
        Assert.Equal(o.Namespace, subject["namespace"]!.ToString());
        Assert.Empty(chart.OfKind("Role"));
        Assert.Empty(chart.OfKind("RoleBinding"));
        Assert.Single(chart.OfKind("ClusterRole"));
        // ztunnel never calls the API server: no role, and no API token mounted.
        Assert.False((bool)PodSpec(chart.Ztunnel)["automountServiceAccountToken"]!);
    }
}
