using System.Collections.Immutable;

namespace Mesh.Core.Identity;

/// <summary>
/// The trust anchors of a trust domain as the control plane publishes them over discovery: every root a workload
/// certificate of the mesh may chain to (one, two while a rotation overlaps), PEM. Proxies verify new HBONE
/// handshakes against the bundle they hold; the file they were started with only bootstraps the first connection
/// to the control plane.
/// </summary>
public sealed record TrustBundle
{
    public required string TrustDomain { get; init; }
    public ImmutableArray<string> Anchors { get; init; } = [];
}
