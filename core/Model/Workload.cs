using System.Collections.Immutable;
using System.Net;
using Mesh.Core.Identity;

namespace Mesh.Core.Model;

/// <summary>A pod as the proxies see it (runtime model, immutable).</summary>
public sealed record Workload
{
    /// <summary>Stable id: the Kubernetes uid, or "&lt;namespace&gt;/&lt;name&gt;" in the lab.</summary>
    public required string Uid { get; init; }
    public required string Name { get; init; }
    public required string Namespace { get; init; }
    public string ServiceAccount { get; init; } = "default";
    public required string Node { get; init; }
    public ImmutableArray<IPAddress> Addresses { get; init; } = [];
    public ImmutableDictionary<string, string> Labels { get; init; } = ImmutableDictionary<string, string>.Empty;
    /// <summary>True when the pod is enrolled (namespace labelled ambient, pod not opted out).</summary>
    public bool Captured { get; init; }
    /// <summary>Waypoint this workload's traffic goes through, if any.</summary>
    public NamespacedName? Waypoint { get; init; }
    public string TrustDomain { get; init; } = MeshLabels.DefaultTrustDomain;

    public SpiffeId Identity => new(TrustDomain, Namespace, ServiceAccount);
}
