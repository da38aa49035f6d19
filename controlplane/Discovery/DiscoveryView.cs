using Mesh.Core.Discovery;

namespace Mesh.ControlPlane.Discovery;

/// <summary>
/// What one proxy receives. A ztunnel (node view) gets: its own node's workloads in full, every other
/// workload slim (uid, name, namespace, service account, node, addresses, captured, waypoint, trust
/// domain: enough to route to it and check its identity, but not its labels, which only matter for
/// selecting policies on the node that hosts it), all services, waypoints and policies, and no HTTPRoutes
/// (L7 is the waypoint's job). A waypoint (full view) gets everything.
/// </summary>
public sealed record DiscoveryView(string? Node, bool Full)
{
    public string CacheKey => Full ? "full" : "node:" + Node;

    public bool Includes(string kind) => Full || kind != DiscoveryWire.HttpRoutes;

    /// <summary>The bytes and hash this view sends for <paramref name="entry"/>, or null when the view excludes it.</summary>
    public (byte[] Json, ulong Hash)? Select(ResourceEntry? entry)
    {
        if (entry is null || !Includes(entry.Id.Kind))
        {
            return null;
        }
        return Full || entry.Slim is null || entry.Node == Node ? (entry.Full, entry.FullHash) : (entry.Slim, entry.SlimHash);
    }
}
