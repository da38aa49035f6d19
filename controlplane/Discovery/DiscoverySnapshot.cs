using System.Collections.Frozen;

namespace Mesh.ControlPlane.Discovery;

/// <summary>What discovery serves at one version (immutable; swapped whole). <see cref="PublishedAt"/> is when the
/// registry published the state this version comes from (push latency is measured from it).</summary>
public sealed record DiscoverySnapshot(string Epoch, long Version, FrozenDictionary<ResourceId, ResourceEntry> Entries, long PublishedAtTimestamp);

/// <summary>One version step: the resources that changed and each one's entry before the change (null = it was new).</summary>
public sealed record DiscoveryChange(long Version, IReadOnlyList<(ResourceId Id, ResourceEntry? Old)> Changes);
