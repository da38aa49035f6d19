using Mesh.Core;
using Mesh.Core.Model;
using Mesh.Core.Policy;

namespace Mesh.Ztunnel.Inbound;

/// <summary>
/// L4 authorization of an inbound connection, a pure function of the state and the connection facts, with Istio's
/// semantics:
/// <list type="number">
/// <item>STRICT mode: plaintext is refused before any policy.</item>
/// <item>Policies that apply (<see cref="AppliesTo"/>): those of the workload's namespace whose selector matches its
/// labels (empty selector = every workload of the namespace), plus those of the root namespace
/// (<see cref="MeshLabels.RootNamespace"/>) whose selector matches, whatever the workload's namespace.</item>
/// <item>Then <see cref="PolicyEvaluator"/> (shared with the waypoint): any matching DENY denies; ALLOW policies apply
/// and none matches: deny; else allow. Rules are matched by <see cref="PolicyMatcher"/> without L7 facts.</item>
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
        var verdict = PolicyEvaluator.Evaluate(state.Policies.Where(p => AppliesTo(p, destination)), new PolicyFacts(facts.Peer, facts.DestinationPort));
        var reason = verdict.Reason switch
        {
            PolicyVerdictReason.AllowPolicyMatched => AuthorizationReason.AllowPolicyMatched,
            PolicyVerdictReason.DenyPolicyMatched => AuthorizationReason.DenyPolicyMatched,
            PolicyVerdictReason.NoAllowPolicyMatched => AuthorizationReason.NoAllowPolicyMatched,
            _ => AuthorizationReason.NoPolicies,
        };
        return new AuthorizationDecision(verdict.Allowed, reason, verdict.PolicyName);
    }

    /// <summary>
    /// Whether <paramref name="policy"/> selects <paramref name="workload"/>. A policy with targetRefs is a waypoint's and
    /// not ztunnel's, unless it also has a selector: only the fail-closed DENY-all that stands in for a policy written
    /// with both carries both, and it denies at the selected workloads as well as at the targets.
    /// </summary>
    public static bool AppliesTo(AuthorizationPolicy policy, Workload workload)
    {
        if (!policy.TargetRefs.IsDefaultOrEmpty && policy.Selector.IsEmpty)
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
}
