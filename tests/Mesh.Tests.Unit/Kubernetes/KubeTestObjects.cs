using System.Text.Json.Nodes;

namespace Mesh.Tests.Unit.Kubernetes;

/// <summary>Small Kubernetes-shaped objects for the list/watch tests.</summary>
internal static class KubeTestObjects
{
    public static JsonObject Pod(string ns, string name, string ip = "198.18.1.10", string? rv = null)
    {
        var metadata = new JsonObject { ["name"] = name, ["namespace"] = ns, ["uid"] = $"uid-{ns}-{name}" };
        if (rv is not null)
        {
            metadata["resourceVersion"] = rv;
        }

        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = metadata,
            ["spec"] = new JsonObject { ["nodeName"] = "node-1", ["serviceAccountName"] = "default" },
            ["status"] = new JsonObject { ["podIP"] = ip, ["phase"] = "Running" },
        };
    }

    public static JsonObject Namespace(string name, string? mode = null)
    {
        var labels = new JsonObject();
        if (mode is not null)
        {
            labels["mesh.dev/dataplane-mode"] = mode;
        }

        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Namespace",
            ["metadata"] = new JsonObject { ["name"] = name, ["labels"] = labels },
        };
    }

    /// <summary>A ClusterIP Service selecting nothing, with <c>spec.trafficDistribution</c> when given.</summary>
    public static JsonObject Service(string ns, string name, string? trafficDistribution)
    {
        var spec = new JsonObject
        {
            ["clusterIP"] = "10.96.0.10",
            ["ports"] = new JsonArray(new JsonObject { ["port"] = 80, ["targetPort"] = 8080 }),
        };
        if (trafficDistribution is not null)
        {
            spec["trafficDistribution"] = trafficDistribution;
        }
        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Service",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns, ["uid"] = $"uid-{ns}-{name}" },
            ["spec"] = spec,
        };
    }

    public static string Key(JsonObject obj)
    {
        var metadata = (JsonObject)obj["metadata"]!;
        var ns = (string?)metadata["namespace"];
        return string.IsNullOrEmpty(ns) ? (string)metadata["name"]! : $"{ns}/{(string)metadata["name"]!}";
    }

    public static string Rv(JsonObject obj) => (string)obj["metadata"]!["resourceVersion"]!;
}
