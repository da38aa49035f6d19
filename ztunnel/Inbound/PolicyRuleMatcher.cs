using System.Collections.Immutable;
using Mesh.Core.Identity;
using Mesh.Core.Model;

namespace Mesh.Ztunnel.Inbound;

/// <summary>
/// Matches one <see cref="PolicyRule"/> against what L4 knows (Istio semantics): every non-empty field must match,
/// any value within a field. Values: exact, "prefix*", "*suffix", or "*" (present). "not" fields match when the
/// attribute is absent or matches none of the values. L7 fields (methods, paths) cannot be checked here: a rule that
/// has them never matches in an ALLOW policy (more restrictive) and is enforced on its L4 fields alone in a DENY
/// policy (also more restrictive), exactly as istiod converts such policies for ztunnel.
/// </summary>
internal static class PolicyRuleMatcher
{
    public static bool Matches(PolicyRule rule, PolicyAction action, in ConnectionFacts facts)
    {
        if (HasL7Fields(rule) && action == PolicyAction.Allow)
        {
            return false;
        }
        var principal = facts.PeerPrincipal;
        var ns = facts.PeerNamespace;
        return MatchesAny(rule.Principals, principal, positive: true)
            && MatchesAny(rule.NotPrincipals, principal, positive: false)
            && MatchesAny(rule.Namespaces, ns, positive: true)
            && MatchesAny(rule.NotNamespaces, ns, positive: false)
            && (rule.Ports.IsDefaultOrEmpty || rule.Ports.Contains(facts.DestinationPort))
            && (rule.NotPorts.IsDefaultOrEmpty || !rule.NotPorts.Contains(facts.DestinationPort));
    }

    public static bool HasL7Fields(PolicyRule rule) => !rule.Methods.IsDefaultOrEmpty || !rule.Paths.IsDefaultOrEmpty;

    /// <summary>Positive field: empty = no constraint, else the value must be present and match one. Negative: empty = no constraint, else must match none.</summary>
    private static bool MatchesAny(ImmutableArray<string> patterns, string? value, bool positive)
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
                if (StringMatches(p, value))
                {
                    any = true;
                    break;
                }
            }
        }
        return positive ? any : !any;
    }

    /// <summary>Istio string match: "*" = present, "*x" suffix, "x*" prefix, else exact. A "spiffe://" prefix on the pattern is ignored.</summary>
    public static bool StringMatches(string pattern, string value)
    {
        if (pattern.StartsWith(SpiffeId.Scheme, StringComparison.Ordinal))
        {
            pattern = pattern[SpiffeId.Scheme.Length..];
        }
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
}
