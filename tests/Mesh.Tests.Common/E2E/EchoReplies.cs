using System.Text.Json;

namespace Mesh.Tests.Common.E2E;

/// <summary>
/// The bodies of the echo sample's replies as curl prints them one after another (each one JSON line naming the pod
/// that answered): the pod of each reply, and every line that is not an echo reply (a proxy's error page, a reset).
/// </summary>
public static class EchoReplies
{
    public static (IReadOnlyList<string> Pods, IReadOnlyList<string> Other) Parse(string output)
    {
        var pods = new List<string>();
        var other = new List<string>();
        foreach (var raw in output.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0)
            {
                continue;
            }
            try
            {
                using var doc = JsonDocument.Parse(line);
                if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("pod", out var pod)
                    && pod.ValueKind == JsonValueKind.String && doc.RootElement.TryGetProperty("status", out var status) && status.GetInt32() == 200)
                {
                    pods.Add(pod.GetString()!);
                    continue;
                }
            }
            catch (JsonException)
            {
            }
            other.Add(line);
        }
        return (pods, other);
    }

    /// <summary>How many of <paramref name="pods"/> belong to the Deployment <paramref name="deployment"/> (pod names are deployment-replicaset-pod).</summary>
    public static int OfDeployment(IEnumerable<string> pods, string deployment) =>
        pods.Count(p => p.StartsWith(deployment + "-", StringComparison.Ordinal) && p.Length > deployment.Length + 1
            && p.AsSpan(deployment.Length + 1).Count('-') == 1);
}
