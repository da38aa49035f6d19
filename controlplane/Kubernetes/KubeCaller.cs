using k8s.Models;
using Mesh.ControlPlane.Ca;
using Mesh.Core.Identity;

namespace Mesh.ControlPlane.Kubernetes;

/// <summary>
/// A caller as a TokenReview describes it: its service account and, for a pod-bound (projected) token,
/// the pod it is bound to (and the node, where the API server adds it). The rules are pure; the
/// authenticator does the review and the pod lookup.
/// </summary>
public sealed record KubeCaller(string Namespace, string ServiceAccount, string? PodName, string? PodUid, string? NodeName)
{
    public const string ServiceAccountPrefix = "system:serviceaccount:";
    public const string PodNameExtra = "authentication.kubernetes.io/pod-name";
    public const string PodUidExtra = "authentication.kubernetes.io/pod-uid";
    public const string NodeNameExtra = "authentication.kubernetes.io/node-name";

    /// <summary>The caller, or why the review does not identify one (not authenticated, another audience, not a service account).</summary>
    public static (KubeCaller? Caller, string? Error) FromReview(V1TokenReviewStatus? status, string audience)
    {
        if (status?.Authenticated != true)
        {
            return (null, $"the API server did not accept the token ({(string.IsNullOrEmpty(status?.Error) ? "no reason given" : status.Error)}); " +
                $"send a current projected service account token with audience '{audience}'");
        }
        if (status.Audiences is not { } audiences || !audiences.Contains(audience, StringComparer.Ordinal))
        {
            return (null, $"the token is not for audience '{audience}' (its audiences: {string.Join(", ", status.Audiences ?? [])}); " +
                $"project the service account token with audience '{audience}'");
        }
        var user = status.User?.Username ?? "";
        var parts = user.StartsWith(ServiceAccountPrefix, StringComparison.Ordinal) ? user[ServiceAccountPrefix.Length..].Split(':') : [];
        if (parts is not [{ Length: > 0 } ns, { Length: > 0 } sa])
        {
            return (null, $"'{user}' is not a service account; callers authenticate with their pod's service account token");
        }
        return (new KubeCaller(ns, sa, Extra(status.User!, PodNameExtra), Extra(status.User!, PodUidExtra), Extra(status.User!, NodeNameExtra)), null);
    }

    /// <summary>True for the ztunnel service account (it acts for the node its pod runs on).</summary>
    public bool IsZtunnel(TokenReviewOptions options) =>
        Namespace == options.ZtunnelNamespace && ServiceAccount == options.ZtunnelServiceAccount;

    /// <summary>Whether <see cref="Decide"/> needs the bound pod looked up (a ztunnel token without the node in it).</summary>
    public bool NeedsPod(TokenReviewOptions options) => PodName is not null && NodeName is null;

    /// <summary>
    /// Istio's rule. The ztunnel service account acts for the node of the pod its token is bound to: the
    /// token's node-name extra when the API server set it, else <paramref name="pod"/> (that pod now, null
    /// when it does not exist), whose uid must match the token's so a deleted pod's token does not carry
    /// over to a new pod of the same name. Any other service account (a waypoint) may obtain only its own
    /// identity; its node is only where its pod runs ("" when unknown).
    /// </summary>
    public NodeAuthentication Decide(TokenReviewOptions options, (string Uid, string Node)? pod)
    {
        var self = new SpiffeId(options.TrustDomain, Namespace, ServiceAccount);
        if (!IsZtunnel(options))
        {
            return NodeAuthentication.Workload(pod?.Node ?? NodeName ?? "", self);
        }
        if (PodName is null)
        {
            return NodeAuthentication.Failure($"the token of {self} is not bound to a pod; mount a projected service account token " +
                $"(audience '{options.Audience}') into the ztunnel pod");
        }
        if (NodeName is not null)
        {
            return NodeAuthentication.Success(NodeName); // the API server put the pod's node in the token (Kubernetes 1.32+)
        }
        if (pod is not { } p)
        {
            return NodeAuthentication.Failure($"the token is bound to pod {Namespace}/{PodName}, which does not exist (any more)");
        }
        if (PodUid is not null && p.Uid != PodUid)
        {
            return NodeAuthentication.Failure($"the token is bound to pod {Namespace}/{PodName} uid {PodUid}, but that pod is now uid {p.Uid}; the replaced pod's token is void");
        }
        return p.Node.Length == 0
            ? NodeAuthentication.Failure($"pod {Namespace}/{PodName} has no node yet (spec.nodeName is empty)")
            : NodeAuthentication.Success(p.Node);
    }

    private static string? Extra(V1UserInfo user, string key) =>
        user.Extra?.TryGetValue(key, out var values) == true && values.FirstOrDefault() is { Length: > 0 } v ? v : null;
}
