using Mesh.Core.Identity;
using Mesh.Core.Policy;

namespace Mesh.Waypoint.Authorization;

/// <summary>What L7 policy looks at: the peer's verified identity, the original destination port, method and path (no query).</summary>
public readonly record struct L7RequestFacts(SpiffeId? Peer, int Port, string Method, string Path)
{
    public PolicyFacts ToPolicyFacts() => new(Peer, Port, Method, Path);
}
