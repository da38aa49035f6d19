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
