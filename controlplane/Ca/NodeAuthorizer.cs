using Mesh.Core.Identity;
using Mesh.Core.Model;

namespace Mesh.ControlPlane.Ca;

/// <summary>
/// Node authorization (as istiod does for ztunnel): node N may obtain a certificate for an identity only
/// when a pod with that namespace and service account runs on N in the current snapshot. A waypoint's
/// identity is the service account of the pods that run it, so it is covered by the same rule.
/// </summary>
public static class NodeAuthorizer
{
    /// <summary>
    /// A workload caller (a waypoint, authenticated by its own service account token) may obtain only its
    /// own identity; a node caller, the identities of its node's pods.
    /// </summary>
    public static bool Authorize(MeshState state, NodeAuthentication caller, SpiffeId identity) =>
        caller.OwnIdentity is { } own ? own == identity : caller.Node is { } node && Authorize(state, node, identity);

    public static bool Authorize(MeshState state, string node, SpiffeId identity)
    {
        foreach (var w in state.Workloads)
        {
            if (w.Node == node && w.Namespace == identity.Namespace && w.ServiceAccount == identity.ServiceAccount &&
                w.TrustDomain == identity.TrustDomain)
            {
                return true;
            }
        }
        return false;
    }
}
