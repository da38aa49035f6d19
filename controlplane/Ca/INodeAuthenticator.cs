using Mesh.Core.Identity;

namespace Mesh.ControlPlane.Ca;

/// <summary>
/// Who is calling, or why it is refused: the node whose ztunnel presented the credential (it may obtain
/// the identities of that node's pods), or a workload such as a waypoint (<see cref="OwnIdentity"/> set:
/// it may obtain only that identity; <see cref="Node"/> is where its pod runs, "" when unknown).
/// </summary>
public readonly record struct NodeAuthentication(string? Node, string? Error, SpiffeId? OwnIdentity = null)
{
    public bool Ok => Node is not null;
    public static NodeAuthentication Success(string node) => new(node, null);
    public static NodeAuthentication Workload(string node, SpiffeId identity) => new(node, null, identity);
    public static NodeAuthentication Failure(string error) => new(null, error);
}

/// <summary>
/// Proves who a caller is from its bearer token. The lab uses a tokens file
/// (<see cref="NodeTokenAuthenticator"/>); on Kubernetes <c>TokenReviewAuthenticator</c> reviews the
/// projected service account token and maps the bound pod to its node; <see cref="ChainedNodeAuthenticator"/>
/// tries several. Used by both the CA and discovery.
/// </summary>
public interface INodeAuthenticator
{
    ValueTask<NodeAuthentication> AuthenticateAsync(string? bearerToken, CancellationToken cancellationToken);
}
