using System.Text.Json.Nodes;
using Mesh.ControlPlane.Registry;
using Mesh.ControlPlane.Translation;
using Mesh.Core;
using Mesh.Tests.Common.Lab;

namespace Mesh.Tests.Unit.KindConfig;

/// <summary>The workloads and route kind-test.sh applies, checked against what the control plane and the checks expect.</summary>
public sealed class KindManifestsTests
{
    private static List<JsonObject> Manifest(string name) =>
        YamlDocuments.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "kind-config", "manifests", name)));

    [Fact]
    public void SplitRoute_Translated_ProbeRuleToV2AndA9010SplitOnTheServiceEcho()
    {
        var obj = Manifest("split-route.yaml").Single();
        obj["metadata"]!["namespace"] = "mesh-e2e"; // applied with -n

        var route = HttpRouteTranslator.Translate(ObjectMeta.Read(obj), obj);

        var parent = Assert.Single(route.Parents);
        Assert.Equal(("Service", "echo", 8080), (parent.Kind, parent.Name, parent.Port));
        Assert.Equal(2, route.Rules.Length);
        var probe = route.Rules[0];
        Assert.Equal(("x-e2e-probe", "v2"), (probe.Matches.Single().Headers.Single().Name, probe.Matches.Single().Headers.Single().Value));
        Assert.Equal("echo-v2", probe.Backends.Single().Name);
        Assert.Equal([("echo-v1", 90), ("echo-v2", 10)], route.Rules[1].Backends.Select(b => (b.Name, b.Weight)));
        Assert.True(route.Rules[1].Matches.IsEmpty || route.Rules[1].Matches.All(m => m.Headers.IsEmpty));
    }

    [Fact]
    public void Echo_Deployments_TwoVersionsOfOneAppEachWithItsService()
    {
        var objects = Manifest("echo.yaml");
        JsonObject Named(string kind, string name) => objects.Single(o => o["kind"]!.GetValue<string>() == kind && o["metadata"]!["name"]!.GetValue<string>() == name);

        foreach (var version in new[] { "v1", "v2" })
        {
            var labels = Named("Deployment", $"echo-{version}")["spec"]!["template"]!["metadata"]!["labels"]!;
            // Istio's labels: the metrics' destination_app and destination_version come from them.
            Assert.Equal(("echo", version), (labels["app"]!.GetValue<string>(), labels["version"]!.GetValue<string>()));
            Assert.Equal(version, Named("Service", $"echo-{version}")["spec"]!["selector"]!["version"]!.GetValue<string>());
        }
        Assert.Equal("echo", Named("Service", "echo")["spec"]!["selector"]!["app"]!.GetValue<string>());
        Assert.Null(Named("Service", "echo")["spec"]!["selector"]!["version"]);
        Assert.Equal("client", Named("Pod", "client")["spec"]!["serviceAccountName"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("echo.yaml")]
    [InlineData("plain-client.yaml")]
    public void Manifests_Images_TheEchoImageLoadedIntoTheNodesNeverPulled(string file)
    {
        var containers = Manifest(file).SelectMany(o => (o["kind"]!.GetValue<string>() == "Pod" ? o["spec"] : o["spec"]?["template"]?["spec"])?["containers"]?.AsArray() ?? [])
            .Select(c => c!.AsObject()).ToList();

        Assert.NotEmpty(containers);
        Assert.All(containers, c => Assert.Equal(("mesh/echo:@TAG@", "Never"), (c["image"]!.GetValue<string>(), c["imagePullPolicy"]!.GetValue<string>())));
        // No pod of the e2e run opts out of the mesh by label: enrollment is the namespace's alone.
        Assert.DoesNotContain(Manifest(file), o => o.ToJsonString().Contains(MeshLabels.DataplaneMode, StringComparison.Ordinal));
    }
}
