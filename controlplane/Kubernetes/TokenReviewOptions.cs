using Mesh.Core;

namespace Mesh.ControlPlane.Kubernetes;

/// <summary>How the control plane authenticates Kubernetes callers (<c>--token-audience</c>, <c>--ztunnel-service-account</c>).</summary>
public sealed record TokenReviewOptions
{
    public const string DefaultAudience = "mesh-ca";

    /// <summary>The audience the callers' projected service account tokens must carry (the serviceAccountToken volume's audience).</summary>
    public string Audience { get; init; } = DefaultAudience;

    /// <summary>The ztunnel DaemonSet's service account: it may obtain the identities of its node's pods.</summary>
    public string ZtunnelNamespace { get; init; } = "mesh-system";

    public string ZtunnelServiceAccount { get; init; } = "ztunnel";

    public string TrustDomain { get; init; } = MeshLabels.DefaultTrustDomain;
}
