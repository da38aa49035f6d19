using System.Collections.Immutable;

namespace Mesh.Lab.Model;

/// <summary>
/// A Pod of the lab file: it runs <see cref="Command"/> (container 0's command + args) instead of an image.
/// <see cref="Yaml"/> is the object as written, re-emitted into the cluster folder with status filled in.
/// </summary>
public sealed record LabPod(
    string Namespace,
    string Name,
    string NodeName,
    string ServiceAccount,
    ImmutableSortedDictionary<string, string> Labels,
    ImmutableArray<string> Command,
    ImmutableArray<KeyValuePair<string, string>> Env,
    int Line,
    string Yaml)
{
    public string Uid => $"{Namespace}/{Name}";
}
