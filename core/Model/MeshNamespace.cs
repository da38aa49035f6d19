namespace Mesh.Core.Model;

/// <summary>
/// A Kubernetes namespace as the proxies need it: whether it is enrolled (labelled
/// <c>mesh.dev/dataplane-mode: ambient</c>). ztunnel's node agent decides at CNI ADD time from this, before the new
/// pod's own workload has reached discovery.
/// </summary>
public sealed record MeshNamespace
{
    public required string Name { get; init; }
    public bool Captured { get; init; }
}
