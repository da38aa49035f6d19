using System.Text.Json.Nodes;

namespace Mesh.ControlPlane.Registry;

/// <summary>Identifies one Kubernetes object: API group ("" for core), kind, namespace ("" when cluster-scoped), name.</summary>
public readonly record struct ObjectKey(string Group, string Kind, string Namespace, string Name)
{
    public override string ToString() =>
        $"{Kind}{(Group.Length == 0 ? "" : "." + Group)} {(Namespace.Length == 0 ? Name : Namespace + "/" + Name)}";

    /// <summary>The key of <paramref name="obj"/>, or null when it has no kind or metadata.name.</summary>
    public static ObjectKey? From(JsonObject obj)
    {
        static string Str(JsonNode? n) => n is JsonValue v && v.TryGetValue<string>(out var s) ? s : "";
        var kind = Str(obj["kind"]);
        var meta = obj["metadata"] as JsonObject;
        var name = Str(meta?["name"]);
        if (kind.Length == 0 || name.Length == 0)
        {
            return null;
        }
        var apiVersion = Str(obj["apiVersion"]);
        var slash = apiVersion.IndexOf('/', StringComparison.Ordinal);
        return new ObjectKey(slash < 0 ? "" : apiVersion[..slash], kind, Str(meta?["namespace"]), name);
    }
}
