using System.Text.Json.Nodes;
using Mesh.ControlPlane.Kubernetes;
using Mesh.ControlPlane.Translation;
using Mesh.Core;
using Mesh.Tests.Common.Charts;
using static Mesh.Tests.Common.Charts.RenderedChart;

namespace Mesh.Tests.Unit.Charts;

/// <summary>The AuthorizationPolicy CRD serves what the control plane watches and translates; the GatewayClass and NOTES.</summary>
public sealed class CrdTests
{
    private static JsonObject Crd(RenderedChart chart) =>
        chart.Get("CustomResourceDefinition", $"{KubeResource.AuthorizationPolicies.Plural}.{KubeResource.AuthorizationPolicies.Group}");

    [HelmFact]
    public async Task Crd_Names_AreTheResourceTheRegistryWatches()
    {
        var spec = Crd(await Default)["spec"]!;
        var watched = KubeResource.AuthorizationPolicies;

        Assert.Equal(MeshLabels.SecurityApiGroup, spec["group"]!.ToString());
        Assert.Equal(watched.Group, spec["group"]!.ToString());
        Assert.Equal(watched.Plural, spec["names"]!["plural"]!.ToString());
        Assert.Equal(watched.Kind, spec["names"]!["kind"]!.ToString());
        Assert.Equal(watched.Namespaced ? "Namespaced" : "Cluster", spec["scope"]!.ToString());
        var versions = spec["versions"]!.AsArray().OfType<JsonObject>().ToList();
        Assert.Equal(PolicyTranslator.Versions.Order(), versions.Where(v => (bool)v["served"]!).Select(v => v["name"]!.ToString()).Order());
        Assert.Equal(watched.Version, versions.Single(v => (bool)v["storage"]!)["name"]!.ToString());
    }

    [HelmFact]
    public async Task Crd_Schema_KeepsUnknownFieldsForTheTranslatorToRefuse()
    {
        // A pruned `when` would silently widen a policy; kept, the translator fails it closed.
        var schema = Crd(await Default)["spec"]!["versions"]![0]!["schema"]!["openAPIV3Schema"]!;
        var policy = Policy(new JsonObject { ["rules"] = new JsonArray(new JsonObject { ["when"] = new JsonArray(new JsonObject { ["key"] = "request.headers[x]" }) }) });

        Assert.True((bool)schema["properties"]!["spec"]!["x-kubernetes-preserve-unknown-fields"]!);
        Assert.True((bool)schema["properties"]!["spec"]!["properties"]!["rules"]!["items"]!["x-kubernetes-preserve-unknown-fields"]!);
        Assert.Contains(MeshTranslator.Translate([policy]).Errors, e => e.Field.Contains("when", StringComparison.Ordinal));
    }

    [HelmFact]
    public async Task Crd_EverySchemaField_IsAcceptedByTheTranslator()
    {
        var spec = Crd(await Default)["spec"]!["versions"]![0]!["schema"]!["openAPIV3Schema"]!["properties"]!["spec"]!.AsObject();
        var checkedFields = new List<string>();

        foreach (var (path, sample) in Samples(spec, "spec"))
        {
            // A methods/paths rule without targetRefs is accepted and reported with how ztunnel enforces it (not refused).
            var errors = MeshTranslator.Translate([Policy(sample.AsObject())]).Errors
                .Where(e => !e.ToString().Contains("cannot be checked by ztunnel", StringComparison.Ordinal)).ToList();
            Assert.True(errors.Count == 0, $"the CRD offers {path}, the translator refuses it: {string.Join("; ", errors)}");
            checkedFields.Add(path);
        }
        Assert.Contains("spec.rules[].from[].source.principals[]", checkedFields);
        Assert.Contains("spec.rules[].to[].operation.ports[]", checkedFields);
        Assert.Contains("spec.targetRefs[].kind", checkedFields);
        Assert.Contains("spec.action=DENY", checkedFields);
        Assert.Contains("spec.selector.matchLabels", checkedFields);
    }

    [HelmFact]
    public async Task GatewayClass_DefaultValues_IsTheWaypointClass()
    {
        var d = await Default;
        var c = await Custom;

        var gc = Assert.Single(d.OfKind("GatewayClass"));
        Assert.Equal(MeshLabels.WaypointGatewayClass, gc["metadata"]!["name"]!.ToString());
        Assert.Equal("gateway.networking.k8s.io/v1", gc["apiVersion"]!.ToString());
        Assert.Empty(c.OfKind("GatewayClass"));
    }

    [HelmFact]
    public async Task Notes_NextStep_IsEnrollingANamespace()
    {
        var notes = (await Default).Notes;

        Assert.Contains($"kubectl label namespace <NAMESPACE> {MeshLabels.DataplaneMode}={MeshLabels.DataplaneModeAmbient}", notes);
        Assert.Contains($"controlplane.{Namespace}.svc", notes);
        Assert.Contains("trust domain:  cluster.local", notes);
        Assert.Contains("trust domain:  corp.example; CA in the Secret corp-mesh-ca", (await Custom).Notes);
    }

    private static JsonObject Policy(JsonObject spec) => new()
    {
        ["apiVersion"] = KubeResource.AuthorizationPolicies.ApiVersion,
        ["kind"] = KubeResource.AuthorizationPolicies.Kind,
        ["metadata"] = new JsonObject { ["name"] = "p", ["namespace"] = "default" },
        ["spec"] = spec,
    };

    /// <summary>For every leaf of the schema (and every enum value), a spec holding just that field with a valid value.</summary>
    private static IEnumerable<(string Path, JsonNode Sample)> Samples(JsonObject schema, string path)
    {
        if (schema["enum"] is JsonArray values)
        {
            foreach (var v in values)
            {
                yield return ($"{path}={v}", JsonValue.Create(v!.ToString()));
            }
            yield break;
        }
        var name = path.Split('.')[^1].TrimEnd('[', ']');
        if (schema["properties"] is JsonObject properties)
        {
            foreach (var (prop, child) in properties)
            {
                foreach (var (p, sample) in Samples(child!.AsObject(), $"{path}.{prop}"))
                {
                    // A target reference needs its kind and name whatever field is checked.
                    var obj = name is "targetRef" or "targetRefs" ? new JsonObject { ["kind"] = "Service", ["name"] = "svc" } : new JsonObject();
                    obj[prop] = sample;
                    yield return (p, obj);
                }
            }
            yield break;
        }
        if (schema["items"] is JsonObject items)
        {
            foreach (var (p, sample) in Samples(items, path + "[]"))
            {
                yield return (p, new JsonArray(sample));
            }
            yield break;
        }
        if (schema["additionalProperties"] is JsonObject)
        {
            yield return (path, new JsonObject { ["app"] = "web" });
            yield break;
        }
        JsonNode leaf = name switch
        {
            "kind" => "Service",
            "group" => "",
            "ports" or "notPorts" => "8080",
            "principals" or "notPrincipals" => "cluster.local/ns/default/sa/client",
            "methods" => "GET",
            "paths" => "/api/*",
            _ => "x",
        };
        yield return (path, leaf);
    }
}
