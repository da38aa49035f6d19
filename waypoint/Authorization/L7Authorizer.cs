using Mesh.Core.Model;
using Mesh.Core.Policy;

namespace Mesh.Waypoint.Authorization;

/// <summary>
/// L7 authorization at the waypoint, Istio semantics for policies with <c>targetRefs</c>. Pure. Applicable
/// (<see cref="Targets"/>): the policies of the waypoint's namespace that target its Gateway, and those of the
/// destination service's namespace that target that Service. The evaluation (<see cref="PolicyEvaluator"/>) and the
/// rule matcher (<see cref="PolicyMatcher"/>, here with the request's method and path) are the ones ztunnel uses at L4.
/// </summary>
public static class L7Authorizer
{
    public static L7Decision Authorize(IEnumerable<AuthorizationPolicy> policies, NamespacedName waypoint, Service? destination, L7RequestFacts request)
    {
        var verdict = PolicyEvaluator.Evaluate(policies.Where(p => Targets(p, waypoint, destination)), request.ToPolicyFacts());
        return new L7Decision(verdict.Allowed, verdict.PolicyName);
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
}
