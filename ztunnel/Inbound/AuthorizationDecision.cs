namespace Mesh.Ztunnel.Inbound;

/// <summary>The result of <see cref="L4Authorizer.Authorize"/>: allowed or not, why, and which policy ("namespace/name") decided.</summary>
public readonly record struct AuthorizationDecision(bool Allowed, AuthorizationReason Reason, string? Policy)
{
    public override string ToString() => Policy is null ? $"{(Allowed ? "allow" : "deny")} ({Reason})" : $"{(Allowed ? "allow" : "deny")} ({Reason}: {Policy})";
}
