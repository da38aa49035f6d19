using Mesh.Core.Model;

namespace Mesh.Core.Policy;

/// <summary>Why <see cref="PolicyEvaluator.Evaluate"/> allowed or denied.</summary>
public enum PolicyVerdictReason
{
    /// <summary>No policy applies: allowed.</summary>
    NoPolicies,
    /// <summary>An ALLOW policy matched (named in the verdict).</summary>
    AllowPolicyMatched,
    /// <summary>A DENY policy matched (named in the verdict).</summary>
    DenyPolicyMatched,
    /// <summary>ALLOW policies apply and none matched (the first of them is named).</summary>
    NoAllowPolicyMatched,
}

/// <summary>The outcome of evaluating the applicable policies: allowed or not, why, and the deciding policy.</summary>
public readonly record struct PolicyVerdict(bool Allowed, PolicyVerdictReason Reason, AuthorizationPolicy? Policy)
{
    /// <summary>"namespace/name" of the deciding policy, or null.</summary>
    public string? PolicyName => Policy is { } p ? $"{p.Namespace}/{p.Name}" : null;
}
