using System.Collections.Immutable;

namespace Mesh.Core.Model;

public enum PolicyAction
{
    Allow,
    Deny,
}

/// <summary>
/// An authorization policy (API group security.mesh.dev). Applies to the workloads of its namespace
/// that match <see cref="Selector"/> (all of them when empty); in the root namespace, to every workload.
/// A request matches a rule when it matches any of its <see cref="Rules"/> (empty rules match nothing
/// for ALLOW, which means deny all).
/// </summary>
public sealed record AuthorizationPolicy
{
    public required string Name { get; init; }
    public required string Namespace { get; init; }
    public PolicyAction Action { get; init; } = PolicyAction.Allow;
    public ImmutableDictionary<string, string> Selector { get; init; } = ImmutableDictionary<string, string>.Empty;
    public ImmutableArray<PolicyRule> Rules { get; init; } = [];
    /// <summary>
    /// Istio's <c>targetRefs</c>: when set, the policy is enforced by a waypoint (for its Gateway, or for traffic to a
    /// Service of the policy's namespace) and not by ztunnel; <see cref="Selector"/> is then unused.
    /// </summary>
    public ImmutableArray<PolicyTargetRef> TargetRefs { get; init; } = [];
}

/// <summary>A targetRef: kind <c>Gateway</c> (a waypoint) or <c>Service</c>, by name in the policy's namespace.</summary>
public sealed record PolicyTargetRef(string Kind, string Name);

/// <summary>One rule: every non-empty field must match (AND); within a field any value (OR).</summary>
public sealed record PolicyRule
{
    /// <summary>SPIFFE ids without the scheme, e.g. "cluster.local/ns/a/sa/b"; "*" suffix/prefix allowed.</summary>
    public ImmutableArray<string> Principals { get; init; } = [];
    public ImmutableArray<string> NotPrincipals { get; init; } = [];
    public ImmutableArray<string> Namespaces { get; init; } = [];
    public ImmutableArray<string> NotNamespaces { get; init; } = [];
    public ImmutableArray<int> Ports { get; init; } = [];
    public ImmutableArray<int> NotPorts { get; init; } = [];
    /// <summary>L7 fields, enforced by waypoints only.</summary>
    public ImmutableArray<string> Methods { get; init; } = [];
    public ImmutableArray<string> Paths { get; init; } = [];
}
