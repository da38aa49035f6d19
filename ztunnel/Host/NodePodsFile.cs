using System.Collections.Immutable;
using System.Text.Json;

namespace Mesh.Ztunnel.Host;

/// <summary>Reads the capture-only host's pods file: a JSON array of <see cref="NodePod"/> (camelCase).</summary>
public static class NodePodsFile
{
    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web);

    public static ImmutableArray<NodePod> Parse(string json) =>
        [.. JsonSerializer.Deserialize<NodePod[]>(json, s_json) ?? []];

    /// <summary>The pods in <paramref name="path"/>; empty when the file does not exist yet.</summary>
    public static ImmutableArray<NodePod> Read(string path) =>
        File.Exists(path) ? Parse(File.ReadAllText(path)) : [];
}
