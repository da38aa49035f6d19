using System.Diagnostics;
using System.Net.Http;
using System.Text.Json.Nodes;
using Mesh.Core.Discovery;
using Mesh.Core.Model;
using static Mesh.Tests.Integration.ControlPlane.TestControlPlane;

namespace Mesh.Tests.Integration.ControlPlane;

/// <summary>
/// A malformed file in the cluster folder of a real control plane (file registry, TLS discovery on loopback): it is
/// reported and skipped, and a DENY-all policy written after it still reaches a connected proxy within a second.
/// </summary>
public sealed class RegistryFaultTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("cp-regfault-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private const string DenyAll = """
        apiVersion: security.mesh.dev/v1
        kind: AuthorizationPolicy
        metadata: { name: deny-all, namespace: demo }
        spec: { action: DENY, rules: [ {} ] }
        """;

    /// <summary>Polls a monitoring page until it contains <paramref name="text"/> (10 s at most).</summary>
    private static async Task UntilAsync(HttpClient http, string path, string text)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!(await http.GetStringAsync(new Uri(path, UriKind.Relative), deadline.Token)).Contains(text, StringComparison.Ordinal))
        {
            await Task.Delay(20, deadline.Token);
        }
    }

    [Fact]
    public async Task MalformedFileThenDenyAll_DenyReachesProxyWithinOneSecondAndStatusNamesFile()
    {
        await using var cp = await TestControlPlane.StartAsync(_root);
        using var client = new DiscoveryClient(new DiscoveryClientOptions
        {
            ControlPlane = cp.ClientOptions("node2"),
            MinBackoff = TimeSpan.FromMilliseconds(50),
            MaxBackoff = TimeSpan.FromMilliseconds(300),
        });
        using var stop = new CancellationTokenSource();
        var run = client.RunAsync(stop.Token);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{cp.MonitoringPort}") };
        await WaitFor(client, s => s.Workloads.Length == 2, TimeSpan.FromSeconds(10));

        // The input that once crash-looped the registry (YamlDotNet's scanner throws on it), then a new policy.
        var bad = Path.Combine(cp.ClusterDir, "broken.yaml");
        await File.WriteAllTextAsync(bad, "apiVersion: v1\nkind: Pod\nmetadata: [demo, x\nspec: {a: b}\n");
        await UntilAsync(http, "/debug/status", "broken.yaml");
        var started = Stopwatch.StartNew();
        await File.WriteAllTextAsync(Path.Combine(cp.ClusterDir, "deny-all.yaml"), DenyAll);
        // The deadline is the requirement: the DENY must reach the proxy within 1 s.
        var denied = await WaitFor(client, s => s.Policies.Any(p => p.Name == "deny-all"), TimeSpan.FromSeconds(1));
        started.Stop();

        Assert.Equal(PolicyAction.Deny, denied.Policies.Single(p => p.Name == "deny-all").Action);
        Assert.Equal(2, denied.Workloads.Length);
        var status = JsonNode.Parse(await http.GetStringAsync(new Uri("/debug/status", UriKind.Relative)))!;
        var error = Assert.Single(status["sourceErrors"]!.AsArray())!;
        Assert.Equal(bad, error["file"]!.GetValue<string>());
        Assert.True(error["line"]!.GetValue<long>() >= 3, error.ToJsonString());
        Assert.Equal(1, status["registryFileErrors"]!.GetValue<int>());
        var ready = await http.GetAsync(new Uri("/healthz/ready", UriKind.Relative));
        Assert.Equal(200, (int)ready.StatusCode);
        Assert.Contains("1 registry file(s) skipped", await ready.Content.ReadAsStringAsync());
        Assert.Contains("mesh_controlplane_registry_file_errors 1", await http.GetStringAsync(new Uri("/metrics", UriKind.Relative)));

        // Fixing the file clears the report.
        File.Delete(bad);
        await UntilAsync(http, "/metrics", "mesh_controlplane_registry_file_errors 0");
        await stop.CancelAsync();
        await run;
        Console.WriteLine($"registry: DENY-all after a malformed file reached the proxy in {started.ElapsedMilliseconds} ms");
    }
}
