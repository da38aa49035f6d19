namespace Mesh.ControlPlane.Registry;

/// <summary>
/// What one YAML file may cost the control plane. A file beyond a limit is refused with a
/// <see cref="YamlDocumentException"/> naming the limit, before it can take memory or stack.
/// </summary>
public sealed record YamlLimits
{
    /// <summary>File size, checked before reading (the largest Kubernetes object is 1.5 MiB; a lab file holds many).</summary>
    public long MaxFileBytes { get; init; } = 16 * 1024 * 1024;

    /// <summary>Nesting of mappings and sequences (Kubernetes objects nest fewer than 20 deep).</summary>
    public int MaxDepth { get; init; } = 32;

    /// <summary>Nodes (scalars, mappings, sequences) in one file, counting what aliases expand to.</summary>
    public long MaxNodes { get; init; } = 2_000_000;

    /// <summary>Nodes that aliases may add in one file: a billion-laughs document stops here.</summary>
    public long MaxAliasNodes { get; init; } = 100_000;

    public static readonly YamlLimits Default = new();
}
