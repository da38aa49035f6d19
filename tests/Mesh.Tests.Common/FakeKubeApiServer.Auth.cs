using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Mesh.Tests.Common;

/// <summary>
/// The authentication side of <see cref="FakeKubeApiServer"/>: TokenReview (authentication.k8s.io/v1) of
/// the service account tokens the test issued, and GET of one pod, answered as kube-apiserver answers them.
/// </summary>
public sealed partial class FakeKubeApiServer
{
    public const string TokenReviewPath = "/apis/authentication.k8s.io/v1/tokenreviews";

    /// <summary>The audience kube-apiserver reviews against when a TokenReview names none.</summary>
    public const string ApiServerAudience = "https://kubernetes.default.svc.cluster.local";

    private const string PodsPath = "/api/v1/pods";

    private readonly Dictionary<string, FakeServiceAccountToken> _serviceAccountTokens = new(StringComparer.Ordinal);

    /// <summary>Issues a token the server's TokenReview will know; returns its opaque text.</summary>
    public string IssueServiceAccountToken(FakeServiceAccountToken token)
    {
        var text = "sa." + Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).Replace('+', '-').Replace('/', '_');
        lock (_lock)
        {
            _serviceAccountTokens[text] = token;
        }
        return text;
    }

    private async Task<bool> TryServeAuthAsync(HttpContext context, FakeKubeRequest request)
    {
        if (request.Method == "POST" && request.Path == TokenReviewPath)
        {
            await TokenReviewAsync(context);
            return true;
        }
        if (request.Method == "GET" && request.Path.Split('/') is ["", "api", "v1", "namespaces", var ns, "pods", var name])
        {
            JsonObject? pod;
            lock (_lock)
            {
                pod = Collection(PodsPath).Objects.GetValueOrDefault(FakeKubeCollection.Key(ns, name))?.DeepClone().AsObject();
            }
            if (pod is null)
            {
                await WriteStatusAsync(context, 404, "NotFound", $"pods \"{name}\" not found");
                return true;
            }
            pod["apiVersion"] = "v1";
            pod["kind"] = "Pod";
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(pod.ToJsonString());
            return true;
        }
        return false;
    }

    private async Task TokenReviewAsync(HttpContext context)
    {
        var review = await JsonNode.ParseAsync(context.Request.Body) as JsonObject;
        var spec = review?["spec"] as JsonObject;
        var token = (string?)spec?["token"] ?? "";
        var wanted = (spec?["audiences"] as JsonArray)?.Select(a => (string?)a).OfType<string>().ToList() is { Count: > 0 } list ? list : [ApiServerAudience];
        var status = Review(token, wanted);
        var answer = new JsonObject
        {
            ["apiVersion"] = "authentication.k8s.io/v1",
            ["kind"] = "TokenReview",
            ["metadata"] = new JsonObject(),
            ["spec"] = spec?.DeepClone(),
            ["status"] = status,
        };
        context.Response.StatusCode = 201;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(answer.ToJsonString());
    }

    /// <summary>What kube-apiserver's service account authenticator says: expiry, audience intersection, bound pod still there with its uid.</summary>
    private JsonObject Review(string text, List<string> wanted)
    {
        FakeServiceAccountToken? token;
        JsonObject? pod = null;
        lock (_lock)
        {
            token = _serviceAccountTokens.GetValueOrDefault(text);
            if (token?.PodName is { } podName)
            {
                pod = Collection(PodsPath).Objects.GetValueOrDefault(FakeKubeCollection.Key(token.Namespace, podName));
            }
        }
        static JsonObject Refused(string error) => new() { ["user"] = new JsonObject(), ["error"] = error };
        if (token is null)
        {
            return Refused("[invalid bearer token, token lookup failed]");
        }
        if (token.ExpiresAt <= DateTimeOffset.UtcNow)
        {
            return Refused("[invalid bearer token, service account token has expired]");
        }
        var audiences = token.Audiences.Intersect(wanted, StringComparer.Ordinal).ToList();
        if (audiences.Count == 0)
        {
            return Refused($"[invalid bearer token, token audiences {JsonSerializer.Serialize(token.Audiences)} is invalid for the target audiences {JsonSerializer.Serialize(wanted)}]");
        }
        if (token.PodName is not null && (pod is null || (string?)pod["metadata"]?["uid"] != token.PodUid))
        {
            return Refused($"[invalid bearer token, pod \"{token.PodName}\" bound to the token no longer exists or has another uid]");
        }
        var extra = new JsonObject();
        if (token.PodName is not null)
        {
            extra["authentication.kubernetes.io/pod-name"] = new JsonArray(token.PodName);
            extra["authentication.kubernetes.io/pod-uid"] = new JsonArray(token.PodUid);
        }
        if (token.NodeName is not null)
        {
            extra["authentication.kubernetes.io/node-name"] = new JsonArray(token.NodeName);
        }
        return new JsonObject
        {
            ["authenticated"] = true,
            ["user"] = new JsonObject
            {
                ["username"] = token.Username,
                ["uid"] = Guid.NewGuid().ToString(),
                ["groups"] = new JsonArray("system:serviceaccounts", $"system:serviceaccounts:{token.Namespace}", "system:authenticated"),
                ["extra"] = extra,
            },
            ["audiences"] = new JsonArray([.. audiences.Select(a => (JsonNode?)a)]),
        };
    }
}
