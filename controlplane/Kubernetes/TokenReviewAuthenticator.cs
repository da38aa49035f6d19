using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Mesh.ControlPlane.Ca;
using Mesh.ControlPlane.Registry;
using Microsoft.Extensions.Logging;

namespace Mesh.ControlPlane.Kubernetes;

/// <summary>
/// Authenticates ztunnels and waypoints on Kubernetes by a TokenReview (authentication.k8s.io/v1) of the
/// caller's projected service account token with <see cref="TokenReviewOptions.Audience"/>, through
/// KubernetesClient, then applies <see cref="KubeCaller.Decide"/>. The bound pod's node comes from the
/// token, else the registry's current state, else a GET of the pod (a pod not watched yet, or replaced).
/// A failed review is the caller's refusal (401) with the reason, logged once per call.
/// </summary>
public sealed class TokenReviewAuthenticator(IKubernetes client, TokenReviewOptions options, MeshStateHub hub,
    ILogger<TokenReviewAuthenticator> log) : INodeAuthenticator
{
    public async ValueTask<NodeAuthentication> AuthenticateAsync(string? bearerToken, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(bearerToken))
        {
            return NodeAuthentication.Failure("no bearer token: send 'Authorization: Bearer <projected service account token>'");
        }
        try
        {
            var review = await client.AuthenticationV1.CreateTokenReviewAsync(new V1TokenReview
            {
                ApiVersion = "authentication.k8s.io/v1",
                Kind = "TokenReview",
                Spec = new V1TokenReviewSpec { Token = bearerToken, Audiences = [options.Audience] },
            }, cancellationToken: cancellationToken);
            var (caller, error) = KubeCaller.FromReview(review.Status, options.Audience);
            if (caller is null)
            {
                return NodeAuthentication.Failure(error!);
            }
            var pod = caller.NeedsPod(options) ? await FindPodAsync(caller.Namespace, caller.PodName!, caller.PodUid, cancellationToken)
                : caller.PodName is { } name ? FromRegistry(caller.Namespace, name, caller.PodUid) : null;
            return caller.Decide(options, pod);
        }
        catch (Exception e) when (e is HttpOperationException or HttpRequestException or IOException or System.Text.Json.JsonException
                                      or k8s.Exceptions.KubeConfigException && !cancellationToken.IsCancellationRequested)
        {
            var reason = e is HttpOperationException { Response: { } r }
                ? $"the API server answered {(int)r.StatusCode} {r.ReasonPhrase}{(r.StatusCode == HttpStatusCode.Forbidden ? " (grant the control plane create on tokenreviews.authentication.k8s.io and get on pods)" : "")}"
                : KubeConfigLoader.FirstLine(e.Message);
            KubeLog.TokenReviewFailed(log, client.BaseUri.ToString(), reason);
            return NodeAuthentication.Failure($"the control plane could not review the token: {reason}; retry shortly");
        }
    }

    /// <summary>The bound pod's (uid, node): the registry's state when it has that pod (same uid), else the API server.</summary>
    private async ValueTask<(string Uid, string Node)?> FindPodAsync(string ns, string name, string? uid, CancellationToken cancellationToken)
    {
        if (FromRegistry(ns, name, uid) is { } known)
        {
            return known;
        }
        try
        {
            var pod = await client.CoreV1.ReadNamespacedPodAsync(name, ns, cancellationToken: cancellationToken);
            return (pod.Metadata?.Uid ?? "", pod.Spec?.NodeName ?? "");
        }
        catch (HttpOperationException e) when (e.Response?.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    private (string Uid, string Node)? FromRegistry(string ns, string name, string? uid)
    {
        if (hub.Current?.State is not { } state)
        {
            return null;
        }
        if (uid is not null)
        {
            return state.WorkloadsByUid.TryGetValue(uid, out var byUid) && byUid.Namespace == ns && byUid.Name == name ? (byUid.Uid, byUid.Node) : null;
        }
        var w = state.Workloads.FirstOrDefault(w => w.Namespace == ns && w.Name == name);
        return w is null ? null : (w.Uid, w.Node);
    }
}
