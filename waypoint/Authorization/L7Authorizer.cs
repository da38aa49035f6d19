using Mesh.Core.Model;

namespace Mesh.Waypoint.Authorization;

/// <summary>
/// L7 authorization at the waypoint, Istio semantics for policies with <c>targetRefs</c>. Pure. Applicable: the
/// policies of the waypoint's namespace that target its Gateway, and those of the destination service's namespace
/// that target that Service. Any DENY with a matching rule denies; if ALLOW policies apply, one must have a matching
/// rule; otherwise allow. A rule matches when every non-empty field matches: principals / namespaces (of the peer;
/// none for a request without identity), ports (the original destination port), methods (exact), paths (exact,
/// <c>prefix*</c>, <c>*suffix</c>, <c>*</c>), and the <c>not</c> forms. An ALLOW policy without rules allows nothing.
/// </summary>
public static class L7Authorizer
{
    public static L7Decision Authorize(IEnumerable<AuthorizationPolicy> policies, NamespacedName waypoint, Service? destination, L7RequestFacts request)
    {
        AuthorizationPolicy? firstAllow = null;
        var allowed = false;
        foreach (var p in policies)
        {
            if (!Targets(p, waypoint, destination))
            {
                continue;
            }
            var matched = p.Rules.Any(r => RuleMatches(r, request));
            if (p.Action == PolicyAction.Deny)
            {
                if (matched)
                {
                    return new L7Decision(false, $"{p.Namespace}/{p.Name}");
                }
                continue;
            }
            firstAllow ??= p;
            allowed |= matched;
        }
        return firstAllow is null || allowed ? L7Decision.NoPolicies : new L7Decision(false, $"{firstAllow.Namespace}/{firstAllow.Name}");
    }

    public static bool Targets(AuthorizationPolicy policy, NamespacedName waypoint, Service? destination)
    {
        foreach (var t in policy.TargetRefs)
        {
            if (t.Kind == "Gateway" && policy.Namespace == waypoint.Namespace && t.Name == waypoint.Name)
            {
                return true;
            }
            if (t.Kind == "Service" && destination is not null && policy.Namespace == destination.Namespace && t.Name == destination.Name)
            {
                return true;
            }
        }
        return false;
    }

    public static bool RuleMatches(PolicyRule rule, L7RequestFacts request)
    {
        var principal = request.Peer is { } peer ? $"{peer.TrustDomain}/ns/{peer.Namespace}/sa/{peer.ServiceAccount}" : null;
        var ns = request.Peer?.Namespace;
        return Field(rule.Principals, principal, positive: true) && Field(rule.NotPrincipals, principal, positive: false)
            && Field(rule.Namespaces, ns, positive: true) && Field(rule.NotNamespaces, ns, positive: false)
            && (rule.Ports.IsEmpty || rule.Ports.Contains(request.Port)) && !rule.NotPorts.Contains(request.Port)
            && (rule.Methods.IsEmpty || rule.Methods.Contains(request.Method))
            && Field(rule.Paths, request.Path, positive: true);
    }

    /// <summary>Exact, <c>prefix*</c>, <c>*suffix</c> or <c>*</c> (present).</summary>
    public static bool ValueMatches(string pattern, string value) =>
        pattern == "*" ? true
        : pattern.EndsWith('*') ? value.StartsWith(pattern[..^1], StringComparison.Ordinal)
        : pattern.StartsWith('*') ? value.EndsWith(pattern[1..], StringComparison.Ordinal)
        : pattern == value;

    private static bool Field(System.Collections.Immutable.ImmutableArray<string> patterns, string? value, bool positive)
    {
        if (patterns.IsEmpty)
        {
            return true;
        }
        var any = value is not null && patterns.Any(p => ValueMatches(p, value));
        return positive ? any : !any;
    }
}
