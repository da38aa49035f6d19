using System.Collections.Immutable;
using Mesh.Core.Identity;
using Mesh.Core.Model;

namespace Mesh.Core.Policy;

/// <summary>
/// The one rule matcher for L4 (ztunnel) and L7 (waypoint), Istio semantics. Pure. A rule matches when every
/// non-empty field matches, any value within a field: principals / namespaces of the peer's identity (a peer without
/// identity has neither: positive fields never match it, <c>not</c> fields always do), ports (the destination port),
/// methods (exact) and paths. Values are exact, <c>prefix*</c>, <c>*suffix</c> or <c>*</c> (present); a principal
/// may be written with or without <c>spiffe://</c>.
/// <para>Without L7 facts (L4), a rule with methods or paths cannot be checked: as istiod converts such policies for
/// ztunnel, it never matches in an ALLOW policy and is enforced on its L4 fields alone in a DENY policy (a DENY rule
/// with only L7 fields denies everything). Both err on the restrictive side.</para>
/// </summary>
public static class PolicyMatcher
{
    /// <summary>Whether any rule of <paramref name="policy"/> matches (a policy without rules matches nothing).</summary>
    public static bool PolicyMatches(AuthorizationPolicy policy, in PolicyFacts facts)
    {
        if (policy.Rules.IsDefault)
        {
            return false;
        }
        foreach (var rule in policy.Rules)
        {
            if (RuleMatches(rule, policy.Action, facts))
            {
                return true;
            }
        }
        return false;
    }

    public static bool RuleMatches(PolicyRule rule, PolicyAction action, in PolicyFacts facts)
    {
        var l7 = HasL7Fields(rule);
        if (l7 && !facts.HasL7 && action == PolicyAction.Allow)
        {
            return false;
        }
        var principal = facts.Principal;
        var ns = facts.Namespace;
        var l4 = Field(rule.Principals, principal, positive: true, principal: true)
            && Field(rule.NotPrincipals, principal, positive: false, principal: true)
            && Field(rule.Namespaces, ns, positive: true)
            && Field(rule.NotNamespaces, ns, positive: false)
            && (rule.Ports.IsDefaultOrEmpty || rule.Ports.Contains(facts.Port))
            && (rule.NotPorts.IsDefaultOrEmpty || !rule.NotPorts.Contains(facts.Port));
        if (!l4 || !l7 || !facts.HasL7)
        {
            return l4;
        }
        return (rule.Methods.IsDefaultOrEmpty || rule.Methods.Contains(facts.Method!))
            && Field(rule.Paths, facts.Path, positive: true);
    }

    public static bool HasL7Fields(PolicyRule rule) => !rule.Methods.IsDefaultOrEmpty || !rule.Paths.IsDefaultOrEmpty;

    /// <summary>Istio string match: "*" = present (non-empty), "*x" suffix, "x*" prefix, else exact.</summary>
    public static bool StringMatches(string pattern, string value)
    {
        if (pattern == "*")
        {
            return value.Length > 0;
        }
        if (pattern.StartsWith('*'))
        {
            return value.EndsWith(pattern[1..], StringComparison.Ordinal);
        }
        if (pattern.EndsWith('*'))
        {
            return value.StartsWith(pattern[..^1], StringComparison.Ordinal);
        }
        return value == pattern;
    }

    /// <summary>Positive field: empty = no constraint, else the value must be present and match one. Negative: empty = no
    /// constraint, else it must match none.</summary>
    private static bool Field(ImmutableArray<string> patterns, string? value, bool positive, bool principal = false)
    {
        if (patterns.IsDefaultOrEmpty)
        {
            return true;
        }
        var any = false;
        if (value is not null)
        {
            foreach (var p in patterns)
            {
                var pattern = principal && p.StartsWith(SpiffeId.Scheme, StringComparison.Ordinal) ? p[SpiffeId.Scheme.Length..] : p;
                if (StringMatches(pattern, value))
                {
                    any = true;
                    break;
                }
            }
        }
        return positive ? any : !any;
    }
}
