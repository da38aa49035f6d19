using System.Collections.Immutable;
using Mesh.Core.Model;

namespace Mesh.ControlPlane.Translation;

/// <summary>The runtime model built from a set of objects, and what could not be translated.</summary>
public sealed record TranslationResult(MeshState State, ImmutableArray<TranslationError> Errors);
