namespace Mesh.ControlPlane.Ca;

/// <summary>Who is calling: the node whose ztunnel presented the credential, or why it is refused.</summary>
public readonly record struct NodeAuthentication(string? Node, string? Error)
{
    public bool Ok => Node is not null;
    public static NodeAuthentication Success(string node) => new(node, null);
    public static NodeAuthentication Failure(string error) => new(null, error);
}

/// <summary>
/// Proves a caller is the ztunnel of node N from its bearer token. The lab uses a tokens file
/// (<see cref="NodeTokenAuthenticator"/>); on Kubernetes an implementation sends the service account
/// token to TokenReview and maps the bound pod to its node (same interface, plugged in by the host).
/// Used by both the CA and discovery.
/// </summary>
public interface INodeAuthenticator
{
    ValueTask<NodeAuthentication> AuthenticateAsync(string? bearerToken, CancellationToken cancellationToken);
}
