using System.Collections.Immutable;

namespace Mesh.Ztunnel.Host;

/// <summary>
/// One entry of the node's pods.json (the CNI's report; in the lab
/// /run/mesh-lab/&lt;lab&gt;/nodes/&lt;node&gt;/pods.json): a pod on this node and where it lives.
/// </summary>
public sealed record NodePod
{
    public required string Uid { get; init; }
    public required string Name { get; init; }
    public required string Namespace { get; init; }
    public required string Ip { get; init; }
    public required string NetnsPath { get; init; }
    public required string CgroupPath { get; init; }
    public string? ServiceAccount { get; init; }
    public ImmutableSortedDictionary<string, string> Labels { get; init; } = ImmutableSortedDictionary<string, string>.Empty;
}
