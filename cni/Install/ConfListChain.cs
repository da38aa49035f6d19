using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Mesh.Cni.Install;

/// <summary>
/// The pure part of installing mesh-cni on a node: which file of the conf folder the runtime uses, and that file with
/// mesh-cni chained last (or removed). The runtime (containerd, CRI-O, through libcni) loads the lexically first
/// <c>*.conf</c>, <c>*.conflist</c> or <c>*.json</c>; a single-plugin <c>.conf</c> is turned into a conf list, as
/// Istio's installer does, because only a list can chain.
/// </summary>
public static class ConfListChain
{
    /// <summary>The <c>type</c> of the chained entry (the binary's name in the CNI bin folder).</summary>
    public const string PluginType = "mesh-cni";

    private static readonly string[] Extensions = [".conf", ".conflist", ".json"];

    /// <summary>The file the runtime loads among <paramref name="fileNames"/> (names only), or null when there is none.</summary>
    public static string? SelectConfFile(IEnumerable<string> fileNames) =>
        fileNames.Where(n => Extensions.Contains(Path.GetExtension(n), StringComparer.Ordinal) && !n.StartsWith('.'))
            .Order(StringComparer.Ordinal).FirstOrDefault();

    /// <summary>
    /// The conf list of <paramref name="text"/> (the content of <paramref name="fileName"/>) with exactly one mesh-cni entry,
    /// last, naming <paramref name="socket"/>; <see cref="ChainResult.Changed"/> is false when it is already so.
    /// </summary>
    public static ChainResult Chain(string fileName, string text, string socket)
    {
        var list = AsList(fileName, text, out var converted);
        var plugins = (JsonArray)list["plugins"]!;
        var ours = plugins.OfType<JsonObject>().Where(IsOurs).ToList();
        var last = plugins.Count > 0 ? plugins[^1] as JsonObject : null;
        if (!converted && ours.Count == 1 && ReferenceEquals(ours[0], last) && (string?)last!["nodeAgentSocket"] == socket)
        {
            return new ChainResult(fileName, text, Changed: false);
        }
        foreach (var entry in ours)
        {
            plugins.Remove(entry);
        }
        if (plugins.Count == 0)
        {
            throw new CniInstallException($"{fileName} lists no network plugin to chain after; install the cluster's network plugin (it writes this file) first");
        }
        plugins.Add((JsonNode)new JsonObject { ["type"] = PluginType, ["nodeAgentSocket"] = socket });
        return new ChainResult(converted ? Path.ChangeExtension(fileName, ".conflist") : fileName, Write(list), Changed: true);
    }

    /// <summary>The conf list without mesh-cni; <see cref="ChainResult.Changed"/> is false when it had none.</summary>
    public static ChainResult Unchain(string fileName, string text)
    {
        var list = AsList(fileName, text, out var converted);
        var plugins = (JsonArray)list["plugins"]!;
        var ours = plugins.OfType<JsonObject>().Where(IsOurs).ToList();
        if (converted || ours.Count == 0)
        {
            return new ChainResult(fileName, text, Changed: false);
        }
        foreach (var entry in ours)
        {
            plugins.Remove(entry);
        }
        return new ChainResult(fileName, Write(list), Changed: true);
    }

    private static bool IsOurs(JsonObject plugin) => (string?)plugin["type"] == PluginType;

    private static JsonObject AsList(string fileName, string text, out bool converted)
    {
        JsonObject root;
        try
        {
            root = JsonNode.Parse(text) as JsonObject ?? throw new CniInstallException($"{fileName} is not a JSON object; fix or remove it");
        }
        catch (JsonException e)
        {
            throw new CniInstallException($"{fileName} is not valid JSON ({e.Message}); fix or remove it");
        }
        converted = false;
        if (root["plugins"] is JsonArray)
        {
            return root;
        }
        if (root["plugins"] is not null || root["type"] is not JsonValue)
        {
            throw new CniInstallException($"{fileName} has neither a 'plugins' list nor a plugin 'type'; it is not a CNI configuration");
        }
        // A single plugin (.conf): the list keeps its name and version (at least 0.3.1: conf lists began with 0.3.0,
        // and mesh-cni takes 0.3.0-1.0.0), the plugin keeps everything else.
        converted = true;
        var version = (string?)root["cniVersion"] is { } v && !v.StartsWith("0.1.", StringComparison.Ordinal) && !v.StartsWith("0.2.", StringComparison.Ordinal) ? v : "0.3.1";
        var plugin = (JsonObject)root.DeepClone();
        plugin.Remove("cniVersion");
        plugin.Remove("name");
        return new JsonObject
        {
            ["cniVersion"] = version,
            ["name"] = root["name"]?.DeepClone() ?? Path.GetFileNameWithoutExtension(fileName),
            ["plugins"] = new JsonArray(plugin),
        };
    }

    private static string Write(JsonObject list)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            list.WriteTo(writer);
        }
        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }
}
