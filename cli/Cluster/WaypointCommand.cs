using System.CommandLine;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Mesh.Core;

namespace Mesh.Cli.Cluster;

/// <summary>
/// <c>meshctl waypoint apply -n NS [--name waypoint] [--for service|namespace]</c>: creates (or updates) a Gateway of
/// class <c>mesh-waypoint</c> with Istio's waypoint listener (mesh, 15008, HBONE); the control plane's waypoint
/// controller deploys it. <c>--for namespace</c> also labels the namespace <c>mesh.dev/use-waypoint: NAME</c>, so all
/// its services go through it; with <c>--for service</c> (the default) label the services that should.
/// </summary>
internal static class WaypointCommand
{
    public const string Group = "gateway.networking.k8s.io";
    public const string Version = "v1";
    public const string Plural = "gateways";

    public static Command Create()
    {
        var ns = new Option<string>("--namespace", "-n") { Description = "the namespace of the waypoint", Required = true };
        var name = new Option<string>("--name") { Description = "the Gateway's name", DefaultValueFactory = _ => "waypoint" };
        var forWhat = new Option<string>("--for") { Description = "service: services labelled mesh.dev/use-waypoint use it; namespace: the whole namespace does", DefaultValueFactory = _ => "service" };
        forWhat.AcceptOnlyFromAmong("service", "namespace");
        var cluster = new ClusterOptions();
        var apply = new Command("apply", "create or update a waypoint (a Gateway of class mesh-waypoint) in a namespace") { ns, name, forWhat };
        cluster.AddTo(apply);
        apply.SetAction(async (parse, ct) =>
        {
            var (kubeconfig, context) = cluster.Values(parse);
            using var client = ClusterOptions.Connect(kubeconfig, context);
            return await ApplyAsync(client, parse.GetRequiredValue(ns), parse.GetRequiredValue(name), parse.GetRequiredValue(forWhat) == "namespace", Console.Out, ct);
        });
        return new Command("waypoint", "manage waypoints (L7 proxies)") { apply };
    }

    /// <summary>The Gateway a waypoint is (Istio's shape: one HBONE listener on 15008).</summary>
    public static JsonObject Gateway(string ns, string name) => new()
    {
        ["apiVersion"] = $"{Group}/{Version}",
        ["kind"] = "Gateway",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns },
        ["spec"] = new JsonObject
        {
            ["gatewayClassName"] = MeshLabels.WaypointGatewayClass,
            ["listeners"] = new JsonArray(new JsonObject { ["name"] = "mesh", ["port"] = 15008, ["protocol"] = "HBONE" }),
        },
    };

    public static async Task<int> ApplyAsync(IKubernetes client, string ns, string name, bool forNamespace, TextWriter output, CancellationToken ct)
    {
        if (await KubeCall.FindAsync($"read namespace {ns}", () => client.CoreV1.ReadNamespaceAsync(ns, cancellationToken: ct)) is null)
        {
            throw new ClusterException($"namespace {ns} does not exist; create it first (kubectl create namespace {ns})");
        }
        var gateway = Gateway(ns, name);
        var existing = await KubeCall.FindAsync($"read gateway {ns}/{name}",
            () => client.CustomObjects.GetNamespacedCustomObjectAsync<JsonObject>(Group, Version, ns, Plural, name, ct));
        if (existing is null)
        {
            var created = await KubeCall.FindAsync($"create gateway {ns}/{name}",
                () => client.CustomObjects.CreateNamespacedCustomObjectAsync<JsonObject>(gateway, Group, Version, ns, Plural, cancellationToken: ct));
            if (created is null)
            {
                throw new ClusterException($"the API server has no {Plural}.{Group}: install the Gateway API CRDs first (meshctl check --pre says how)");
            }
        }
        else
        {
            await KubeCall.RunAsync($"update gateway {ns}/{name}", () => client.CustomObjects.PatchNamespacedCustomObjectAsync<JsonObject>(
                new V1Patch(new JsonObject { ["spec"] = gateway["spec"]!.DeepClone() }.ToJsonString(), V1Patch.PatchType.MergePatch), Group, Version, ns, Plural, name, cancellationToken: ct));
        }
        output.WriteLine($"gateway {ns}/{name} {(existing is null ? "created" : "updated")} (class {MeshLabels.WaypointGatewayClass}); the control plane deploys the waypoint");
        if (forNamespace)
        {
            var patch = new JsonObject { ["metadata"] = new JsonObject { ["labels"] = new JsonObject { [MeshLabels.UseWaypoint] = name } } }.ToJsonString();
            await KubeCall.RunAsync($"label namespace {ns}", () => client.CoreV1.PatchNamespaceAsync(new V1Patch(patch, V1Patch.PatchType.MergePatch), ns, cancellationToken: ct));
            output.WriteLine($"namespace {ns} labelled {MeshLabels.UseWaypoint}={name}: its services' traffic goes through the waypoint");
        }
        else
        {
            output.WriteLine($"label the services that should use it: kubectl label service -n {ns} NAME {MeshLabels.UseWaypoint}={name}");
        }
        return 0;
    }
}
