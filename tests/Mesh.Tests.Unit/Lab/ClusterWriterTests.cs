using Mesh.Lab;
using Mesh.Lab.Model;
using Mesh.Lab.Parsing;
using Mesh.Lab.Planning;
using Mesh.Lab.Runtime;

namespace Mesh.Tests.Unit.Lab;

public sealed class ClusterWriterTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "cw-" + Guid.NewGuid().ToString("N"));

    private LabPlan Plan() => LabPlanner.Plan(LabFileParser.Parse("""
        kind: Namespace
        metadata: {name: shop, labels: {mesh.dev/dataplane-mode: ambient, team: a}}
        ---
        kind: Pod
        metadata: {name: web, namespace: shop, annotations: {note: kept}}
        spec: {nodeName: node1, containers: [{command: [x]}]}
        ---
        kind: Pod
        metadata: {name: loose}
        spec: {nodeName: node2, containers: [{command: [x]}]}
        ---
        kind: Service
        metadata: {name: web, namespace: shop}
        spec: {selector: {app: web}, ports: [{port: 80}]}
        ---
        kind: HTTPRoute
        metadata: {name: split, namespace: shop}
        spec: {parentRefs: [{name: web, kind: Service}]}
        """, "f.yaml", "/x"), "cw", new LabEnvironment(_root, "/cg"));

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void WriteAll_OneFilePerObject_WithAddressesFilledIn()
    {
        var plan = Plan();

        ClusterWriter.WriteAll(plan);

        Assert.Equal(
            ["httproute.shop.split.yaml", "namespace.default.yaml", "namespace.shop.yaml", "pod.default.loose.yaml", "pod.shop.web.yaml", "service.shop.web.yaml"],
            Directory.GetFiles(plan.ClusterDir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        var pod = File.ReadAllText(Path.Combine(plan.ClusterDir, "pod.shop.web.yaml"));
        Assert.Contains("podIP: \"198.18.1.2\"", pod, StringComparison.Ordinal);
        Assert.Contains("hostIP: \"198.19.0.11\"", pod, StringComparison.Ordinal);
        Assert.Contains("note: kept", pod, StringComparison.Ordinal);
        Assert.Contains("namespace: \"default\"", File.ReadAllText(Path.Combine(plan.ClusterDir, "pod.default.loose.yaml")), StringComparison.Ordinal);
        Assert.Contains("clusterIP: \"198.19.128.1\"", File.ReadAllText(Path.Combine(plan.ClusterDir, "service.shop.web.yaml")), StringComparison.Ordinal);
        Assert.Contains("parentRefs", File.ReadAllText(Path.Combine(plan.ClusterDir, "httproute.shop.split.yaml")), StringComparison.Ordinal);
    }

    [Fact]
    public void SetNamespaceLabel_RemoveThenSet_RewritesOnlyThatLabel()
    {
        var plan = Plan();
        ClusterWriter.WriteAll(plan);
        var path = Path.Combine(plan.ClusterDir, "namespace.shop.yaml");

        ClusterWriter.SetNamespaceLabel(plan.ClusterDir, "shop", "mesh.dev/dataplane-mode", null);
        var removed = File.ReadAllText(path);
        ClusterWriter.SetNamespaceLabel(plan.ClusterDir, "shop", "mesh.dev/dataplane-mode", "ambient");
        var set = File.ReadAllText(path);

        Assert.DoesNotContain("dataplane-mode", removed, StringComparison.Ordinal);
        Assert.Contains("team: a", removed, StringComparison.Ordinal);
        Assert.Contains("mesh.dev/dataplane-mode: \"ambient\"", set, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(plan.ClusterDir, ".*"));
    }

    [Fact]
    public void SetNamespaceLabel_UnknownNamespace_SaysHowToCheck()
    {
        var plan = Plan();
        ClusterWriter.WriteAll(plan);

        var e = Assert.Throws<LabException>(() => ClusterWriter.SetNamespaceLabel(plan.ClusterDir, "nope", "a", "b"));

        Assert.StartsWith("namespace 'nope' is not in this lab", e.Message, StringComparison.Ordinal);
    }
}
