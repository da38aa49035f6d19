using System.Collections.Immutable;
using System.Net;
using Mesh.Ztunnel.Redirection;

namespace Mesh.Ztunnel.NodeAgent;

/// <summary>
/// A pod on this node and where it lives: reported by CNI ADD or found running by the node agent (<c>ztunnel uninstall</c>
/// reads them from a file).
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

    /// <summary>What capture needs of the pod (its <see cref="Ip"/> is a valid IPv4 address: the enrollment planner checks).</summary>
    public PodCapture ToCapture() => new(Uid, IPAddress.Parse(Ip), NetnsPath, CgroupPath);
}
