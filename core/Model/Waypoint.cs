using System.Collections.Immutable;
using System.Net;

namespace Mesh.Core.Model;

/// <summary>A waypoint (Gateway of class mesh-waypoint) and the addresses it is reachable on.</summary>
public sealed record Waypoint
{
    public required string Name { get; init; }
    public required string Namespace { get; init; }
    public ImmutableArray<IPAddress> Addresses { get; init; } = [];
    /// <summary>The waypoint's own identity: the service account of the pods that run the Gateway (default: the Gateway's name).</summary>
    public string ServiceAccount { get; init; } = "";

    public NamespacedName Key => new(Namespace, Name);
}
