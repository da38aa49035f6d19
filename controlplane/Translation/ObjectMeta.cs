using System.Collections.Immutable;
using System.Text.Json.Nodes;

namespace Mesh.ControlPlane.Translation;

/// <summary>The identifying part of a Kubernetes object: apiVersion, kind, metadata.</summary>
internal sealed record ObjectMeta(string ApiVersion, string Kind, string Namespace, string Name, string? Uid,
    ImmutableDictionary<string, string> Labels)
{
    public ImmutableDictionary<string, string> Annotations { get; init; } = ImmutableDictionary<string, string>.Empty;

    public string Group => ApiVersion.Contains('/', StringComparison.Ordinal) ? ApiVersion[..ApiVersion.IndexOf('/', StringComparison.Ordinal)] : "";

    /// <summary>Reads apiVersion/kind/metadata; throws <see cref="TranslationException"/> when they are unusable.</summary>
    public static ObjectMeta Read(JsonObject obj)
    {
        var apiVersion = JsonFields.String(obj, "apiVersion", "apiVersion") ?? "";
        var kind = JsonFields.String(obj, "kind", "kind") ?? throw new TranslationException("kind", "kind is required");
        var metadata = JsonFields.Object(obj, "metadata", "metadata") ?? throw new TranslationException("metadata", "metadata is required");
        var name = JsonFields.String(metadata, "name", "metadata.name");
        if (string.IsNullOrEmpty(name))
        {
            throw new TranslationException("metadata.name", "metadata.name is required");
        }
        var ns = JsonFields.String(metadata, "namespace", "metadata.namespace") ?? "";
        return new ObjectMeta(apiVersion, kind, ns, name, JsonFields.String(metadata, "uid", "metadata.uid"),
            JsonFields.StringMap(metadata, "labels", "metadata.labels"))
        {
            Annotations = JsonFields.StringMap(metadata, "annotations", "metadata.annotations"),
        };
    }

    /// <summary>Best-effort kind/namespace/name for an error about an object whose metadata may be broken.</summary>
    public static (string Kind, string Namespace, string Name) Describe(JsonObject obj)
    {
        static string Read(JsonNode? n) => n is JsonValue v && v.TryGetValue<string>(out var s) ? s : "";
        var meta = obj["metadata"] as JsonObject;
        var kind = Read(obj["kind"]);
        return (kind.Length == 0 ? "(no kind)" : kind, Read(meta?["namespace"]), Read(meta?["name"]) is { Length: > 0 } n ? n : "(no name)");
    }
}
