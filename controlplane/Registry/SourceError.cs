namespace Mesh.ControlPlane.Registry;

/// <summary>
/// Something a registry source could not read, shown in <c>/debug/status</c> and logged once: for the file registry
/// the file and the position in it (1-based line and column; 0 when unknown). <see cref="Source"/> is filled in by the
/// registry.
/// </summary>
public sealed record SourceError(string Message, string? File = null, long Line = 0, long Column = 0)
{
    public string Source { get; init; } = "";

    /// <summary>"file:line:column" (or the file alone), or null when the error concerns no file.</summary>
    public string? Location => File is null ? null : Line > 0 ? $"{File}:{Line}:{Column}" : File;

    public override string ToString() =>
        $"{(Source.Length > 0 ? Source + ": " : "")}{(Location is { } l ? l + ": " : "")}{Message}";
}
