using Mesh.Core.Model;

namespace Mesh.Core.Policy;

/// <summary>
/// Istio's evaluation order over the policies that apply (which ones apply is the caller's: a workload's selector at
/// L4, a waypoint's targetRefs at L7): any DENY policy with a matching rule denies; else, if ALLOW policies apply, one
/// of them must have a matching rule; else allowed. Pure; rules are matched by <see cref="PolicyMatcher"/>.
/// </summary>
public static class PolicyEvaluator
{
    public static PolicyVerdict Evaluate(IEnumerable<AuthorizationPolicy> applicable, in PolicyFacts facts)
    {
        AuthorizationPolicy? firstAllow = null;
        AuthorizationPolicy? matchedAllow = null;
        foreach (var policy in applicable)
        {
            var matched = PolicyMatcher.PolicyMatches(policy, facts);
            if (policy.Action == PolicyAction.Deny)
            {
                if (matched)
                {
                    return new PolicyVerdict(false, PolicyVerdictReason.DenyPolicyMatched, policy);
                }
                continue;
            }
            firstAllow ??= policy;
            if (matched)
            {
                matchedAllow ??= policy;
            }
        }
        if (matchedAllow is not null)
        {
            return new PolicyVerdict(true, PolicyVerdictReason.AllowPolicyMatched, matchedAllow);
        }
        if (firstAllow is not null)
        {
            return new PolicyVerdict(false, PolicyVerdictReason.NoAllowPolicyMatched, firstAllow);
        }
        return new PolicyVerdict(true, PolicyVerdictReason.NoPolicies, null);
    }
}
