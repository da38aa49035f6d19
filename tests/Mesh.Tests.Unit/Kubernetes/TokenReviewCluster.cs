using System.Text.Json.Nodes;
using Mesh.Tests.Common;

namespace Mesh.Tests.Unit.Kubernetes;

/// <summary>
/// Two nodes on the stand-in API server (<see cref="FakeKubeApiServer"/>; kube-apiserver cannot run here):
/// a ztunnel pod on each, an app pod on each, a waypoint pod on node-a, and tokens bound to those pods.
/// </summary>
internal static class TokenReviewCluster
{
    public const string Audience = "mesh-ca";

    public static JsonObject Pod(string ns, string name, string node, string serviceAccount, string ip) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Pod",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns, ["uid"] = $"uid-{name}" },
        ["spec"] = new JsonObject { ["nodeName"] = node, ["serviceAccountName"] = serviceAccount },
        ["status"] = new JsonObject { ["podIP"] = ip, ["phase"] = "Running" },
    };

    public static IReadOnlyList<JsonObject> Pods { get; } =
    [
        Pod("mesh-system", "ztunnel-a", "node-a", "ztunnel", "198.18.0.11"),
        Pod("mesh-system", "ztunnel-b", "node-b", "ztunnel", "198.18.0.12"),
        Pod("apps", "web", "node-a", "web", "198.18.1.2"),
        Pod("apps", "db", "node-b", "db", "198.18.2.2"),
        Pod("apps", "waypoint", "node-a", "waypoint", "198.18.1.3"),
    ];

    public static void AddPods(FakeKubeApiServer server)
    {
        foreach (var pod in Pods)
        {
            server.Upsert("/api/v1/pods", pod);
        }
    }

    /// <summary>A projected token for pod <paramref name="pod"/> (from <see cref="Pods"/> or any pod with uid "uid-NAME").</summary>
    public static string Token(FakeKubeApiServer server, string ns, string pod, string serviceAccount,
        string audience = Audience, TimeSpan? validFor = null) =>
        server.IssueServiceAccountToken(new FakeServiceAccountToken(ns, serviceAccount, pod, $"uid-{pod}", [audience],
            DateTimeOffset.UtcNow + (validFor ?? TimeSpan.FromHours(1))));
}
