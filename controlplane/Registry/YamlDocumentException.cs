namespace Mesh.ControlPlane.Registry;

/// <summary>
/// A YAML file that cannot be read as Kubernetes objects: malformed YAML, a document that is not a mapping, or a
/// <see cref="YamlLimits"/> limit. <see cref="Line"/> and <see cref="Column"/> (1-based; 0 when unknown) say where.
/// </summary>
public sealed class YamlDocumentException(long line, long column, string reason) : FormatException(
    line > 0 ? $"line {line}, column {column}: {reason}" : reason)
{
    public long Line { get; } = line;
    public long Column { get; } = column;
    public string Reason { get; } = reason;
}
