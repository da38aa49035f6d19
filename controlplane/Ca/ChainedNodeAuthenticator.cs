namespace Mesh.ControlPlane.Ca;

/// <summary>
/// Several authenticators in order (the lab's node tokens first: local and cheap; then TokenReview): the
/// first that accepts the token decides. When all refuse, the error names each one's reason.
/// </summary>
public sealed class ChainedNodeAuthenticator(IReadOnlyList<(string Name, INodeAuthenticator Authenticator)> chain) : INodeAuthenticator
{
    public async ValueTask<NodeAuthentication> AuthenticateAsync(string? bearerToken, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(bearerToken))
        {
            return NodeAuthentication.Failure("no bearer token: send 'Authorization: Bearer <token>' (a node token or a projected service account token)");
        }
        var errors = new List<string>(chain.Count);
        foreach (var (name, authenticator) in chain)
        {
            var result = await authenticator.AuthenticateAsync(bearerToken, cancellationToken);
            if (result.Ok)
            {
                return result;
            }
            errors.Add($"{name}: {result.Error}");
        }
        return NodeAuthentication.Failure(string.Join("; ", errors));
    }
}
