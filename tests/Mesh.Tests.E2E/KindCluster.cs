using System.Diagnostics;
using System.Globalization;
using Mesh.Lab.Runtime;
using Mesh.Core.Metrics;
using Mesh.Tests.Common.E2E;

namespace Mesh.Tests.E2E;

/// <summary>
/// The cluster kind-test.sh made, reached as a user reaches it: kubectl with its KUBECONFIG. Requests are sent by
/// curl inside the client pods (kubectl exec), ztunnel's metrics are read through the API server's pod proxy.
/// </summary>
public sealed class KindCluster
{
    public const string NamespaceVariable = "MESH_E2E_NAMESPACE";
    public const string MeshNamespace = "mesh-system";

    /// <summary>The enrolled namespace with the echo sample and the mesh client.</summary>
    public string Namespace { get; } = Environment.GetEnvironmentVariable(NamespaceVariable) ?? "mesh-e2e";

    /// <summary>The namespace of the non-mesh client (not enrolled).</summary>
    public string PlainNamespace { get; } = Environment.GetEnvironmentVariable("MESH_E2E_PLAIN_NAMESPACE") ?? "mesh-e2e-plain";

    public string EchoUrl(string service = "echo") => $"http://{service}.{Namespace}.svc.cluster.local:8080/";

    public static async Task<(int ExitCode, string Stdout, string Stderr)> KubectlAsync(IEnumerable<string> args, TimeSpan? timeout = null)
    {
        var r = await Shell.RunAsync("kubectl", args, timeout: timeout ?? TimeSpan.FromMinutes(2));
        return (r.ExitCode, r.Stdout, r.Stderr);
    }

    /// <summary>
    /// <paramref name="count"/> GETs of <paramref name="url"/> by curl in pod <paramref name="pod"/> (one curl, URL globbing);
    /// <paramref name="newConnections"/>: each on its own TCP connection (Connection: close), as the L4 counters count connections.
    /// </summary>
    public async Task<(int ExitCode, string Replies, string Stderr)> CurlAsync(string ns, string pod, string url, int count,
        bool newConnections = false, IEnumerable<string>? headers = null)
    {
        List<string> args = ["-n", ns, "exec", pod, "--", "/usr/bin/curl", "-sS", "-m", "10"];
        if (newConnections)
        {
            args.AddRange(["-H", "Connection: close"]);
        }
        foreach (var h in headers ?? [])
        {
            args.AddRange(["-H", h]);
        }
        args.Add(count == 1 ? url : $"{url}?n=[1-{count.ToString(CultureInfo.InvariantCulture)}]");
        return await KubectlAsync(args, TimeSpan.FromMinutes(3));
    }

    /// <summary>Every ztunnel's /metrics (15020), through the API server's pod proxy.</summary>
    public async Task<IReadOnlyList<PrometheusSample>> ZtunnelMetricsAsync()
    {
        var pods = await KubectlAsync(["-n", MeshNamespace, "get", "pods", "-l", "app.kubernetes.io/name=ztunnel", "-o", "jsonpath={.items[*].metadata.name}"]);
        Assert.True(pods.ExitCode == 0, pods.Stderr);
        var names = pods.Stdout.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.NotEmpty(names);
        var samples = new List<PrometheusSample>();
        foreach (var name in names)
        {
            var raw = await KubectlAsync(["get", "--raw", $"/api/v1/namespaces/{MeshNamespace}/pods/{name}:15020/proxy/metrics"]);
            Assert.True(raw.ExitCode == 0, $"metrics of {name}: {raw.Stderr}");
            samples.AddRange(PrometheusTextReader.Parse(raw.Stdout));
        }
        return samples;
    }

    /// <summary>Polls <paramref name="condition"/> until true (a cluster converging on a change), else fails with <paramref name="failure"/>().</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, Func<string> failure)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(clock.Elapsed < timeout, failure());
            await Task.Delay(TimeSpan.FromSeconds(1));
        }
    }
}
