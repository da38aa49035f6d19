using System.Collections.Immutable;
using Mesh.Lab.Parsing;

namespace Mesh.Lab.Model;

/// <summary>A parsed lab file: Kubernetes-shaped objects, nodes implied by the pods.</summary>
public sealed record LabFile(
    string SourcePath,
    string BaseDirectory,
    ImmutableArray<LabNamespace> Namespaces,
    ImmutableArray<LabNode> Nodes,
    ImmutableArray<LabPod> Pods,
    ImmutableArray<LabService> Services,
    ImmutableArray<LabObject> Others)
{
    /// <summary>Reads and parses a lab file; throws <see cref="LabException"/> with a one-line message on any problem.</summary>
    public static LabFile Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new LabException($"{path}: cannot read the lab file: {e.Message}", e);
        }
        var dir = Path.GetDirectoryName(Path.GetFullPath(path)) ?? Directory.GetCurrentDirectory();
        return LabFileParser.Parse(text, path, dir);
    }

    /// <summary>Parses lab YAML held in memory; relative command paths resolve against <paramref name="baseDirectory"/>.</summary>
    public static LabFile Parse(string yaml, string sourceName, string baseDirectory) =>
        LabFileParser.Parse(yaml, sourceName, baseDirectory);
}
