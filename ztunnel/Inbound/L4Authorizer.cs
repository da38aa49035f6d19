using Mesh.Core;
using Mesh.Core.Model;

namespace Mesh.Ztunnel.Inbound;

/// <summary>
/// L4 authorization of an inbound connection, a pure function of the state and the connection facts, with Istio's
/// semantics:
/// <list type="number">
/// <item>STRICT mode: plaintext is refused before any policy.</item>
/// <item>Policies that apply: those of the workload's namespace whose selector matches its labels (empty selector =
/// every workload of the namespace), plus those of the root namespace (<see cref="MeshLabels.RootNamespace"/>) whose
/// selector matches, whatever the workload's namespace.</item>
/// <item>Any DENY policy with a matching rule: deny.</item>
/// <item>Else, if ALLOW policies apply: allow only when one of them has a matching rule (an ALLOW policy without
/// rules matches nothing); else deny.</item>
/// <item>No applicable policy: allow.</item>
/// </list>
/// </summary>
public static class L4Authorizer
{
    public static AuthorizationDecision Authorize(MeshState state, Workload destination, in ConnectionFacts facts, MtlsMode mode)
    {
        if (mode == MtlsMode.Strict && facts.Plaintext)
        {
            return new AuthorizationDecision(false, AuthorizationReason.StrictModeRefusesPlaintext, null);
        }
        AuthorizationPolicy? firstAllow = null;
        AuthorizationPolicy? matchedAllow = null;
        foreach (var policy in state.Policies)
        {
            if (!AppliesTo(policy, destination))
            {
                continue;
            }
            var matched = PolicyMatches(policy, facts);
            if (policy.Action == PolicyAction.Deny)
            {
                if (matched)
                {
                    return new AuthorizationDecision(false, AuthorizationReason.DenyPolicyMatched, Name(policy));
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
            return new AuthorizationDecision(true, AuthorizationReason.AllowPolicyMatched, Name(matchedAllow));
        }
        if (firstAllow is not null)
        {
            return new AuthorizationDecision(false, AuthorizationReason.NoAllowPolicyMatched, Name(firstAllow));
        }
        return new AuthorizationDecision(true, AuthorizationReason.NoPolicies, null);
    }

    /// <summary>Whether <paramref name="policy"/> selects <paramref name="workload"/>. Policies with targetRefs are a waypoint's, never ztunnel's.</summary>
    public static bool AppliesTo(AuthorizationPolicy policy, Workload workload)
    {
        if (!policy.TargetRefs.IsDefaultOrEmpty)
        {
            return false;
        }
        if (policy.Namespace != workload.Namespace && policy.Namespace != MeshLabels.RootNamespace)
        {
            return false;
        }
        foreach (var (key, value) in policy.Selector)
        {
            if (!workload.Labels.TryGetValue(key, out var actual) || actual != value)
            {
                return false;
            }
        }
        return true;
    }

    private static bool PolicyMatches(AuthorizationPolicy policy, in ConnectionFacts facts)
    {
        if (policy.Rules.IsDefault)
        {
            return false;
        }
        foreach (var rule in policy.Rules)
        {
            if (PolicyRuleMatcher.Matches(rule, policy.Action, facts))
            {
                return true;
            }
        }
        return false;
    }

    private static string Name(AuthorizationPolicy policy) => $"{policy.Namespace}/{policy.Name}";
}
