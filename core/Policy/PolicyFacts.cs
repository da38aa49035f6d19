using Mesh.Core.Identity;

namespace Mesh.Core.Policy;

/// <summary>
/// What an authorizer knows about a connection or request when it matches policy rules: the peer's verified
/// identity (none for plaintext), the destination port, and, at L7 only, the method and path (no query). L4
/// (ztunnel) has no L7 facts: <see cref="Method"/> and <see cref="Path"/> are null there.
/// </summary>
public readonly record struct PolicyFacts(SpiffeId? Peer, int Port, string? Method = null, string? Path = null)
{
    /// <summary>Whether the request's method and path are known (a waypoint); false at L4.</summary>
    public bool HasL7 => Method is not null;

    /// <summary>The principal as policies write it: the SPIFFE id without its scheme, e.g. "cluster.local/ns/a/sa/b".</summary>
    public string? Principal => Peer is { } p ? $"{p.TrustDomain}/ns/{p.Namespace}/sa/{p.ServiceAccount}" : null;

    /// <summary>The peer's namespace, from its identity.</summary>
    public string? Namespace => Peer?.Namespace;
}
