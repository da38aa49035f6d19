using Mesh.Core;

namespace Mesh.ControlPlane.Translation;

/// <summary>Settings of the translation: the trust domain stamped on every workload.</summary>
public sealed record TranslationOptions
{
    public string TrustDomain { get; init; } = MeshLabels.DefaultTrustDomain;

    public static readonly TranslationOptions Default = new();
}
