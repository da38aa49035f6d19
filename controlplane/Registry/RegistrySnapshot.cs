using System.Collections.Immutable;
using Mesh.ControlPlane.Translation;
using Mesh.Core.Model;

namespace Mesh.ControlPlane.Registry;

/// <summary>One published result of the registry: the translated state and everything that went wrong.</summary>
public sealed record RegistrySnapshot(long Generation, MeshState State, ImmutableArray<TranslationError> Errors,
    ImmutableArray<SourceError> SourceErrors, DateTimeOffset PublishedAt)
{
    /// <summary>How many registry files are skipped now (each named in <see cref="SourceErrors"/>).</summary>
    public int SkippedFiles => SourceErrors.Where(e => e.File is not null).Select(e => e.File).Distinct(StringComparer.Ordinal).Count();
}
