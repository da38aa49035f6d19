using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Serialization;
using Mesh.Ztunnel.NodeAgent;

namespace Mesh.Ztunnel.Host;

/// <summary>Reads a node's pods file (<c>ztunnel uninstall --pods-file</c>): a JSON array of <see cref="NodePod"/> (camelCase).</summary>
public static partial class NodePodsFile
{
    public static ImmutableArray<NodePod> Parse(string json) =>
        [.. JsonSerializer.Deserialize(json, NodePodsJsonContext.Default.NodePodArray) ?? []];

    /// <summary>The pods in <paramref name="path"/>; empty when the file does not exist yet.</summary>
    public static ImmutableArray<NodePod> Read(string path) =>
        File.Exists(path) ? Parse(File.ReadAllText(path)) : [];

    [JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
    [JsonSerializable(typeof(NodePod[]))]
    internal sealed partial class NodePodsJsonContext : JsonSerializerContext;
}
