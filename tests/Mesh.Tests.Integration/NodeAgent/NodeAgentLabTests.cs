using System.Diagnostics;
using System.Text;
using Mesh.Lab.Launch;
using Mesh.Lab.Model;
using Mesh.Lab.Parsing;
using Mesh.Lab.Runtime;
using Mesh.Tests.Common;
using Mesh.Tests.Common.Lab;
using Xunit.Abstractions;

namespace Mesh.Tests.Integration.NodeAgent;

/// <summary>
/// ztunnel's node agent on a lab run as a container runtime: pods started through the CNI chain are captured before
/// their command runs; with ztunnel down a pod of an enrolled namespace does not start; pods already running are found
/// by the scan after a restart.
/// </summary>
public sealed class NodeAgentLabTests(ITestOutputHelper output)
{
    private const string Cluster = """
        kind: Namespace
        metadata: {name: app, labels: {mesh.dev/dataplane-mode: ambient}}
        ---
        kind: Namespace
        metadata: {name: plain}
        ---
        kind: Pod
        metadata: {name: server, namespace: app, labels: {app: server}}
        spec:
          nodeName: node2
          serviceAccountName: server
          containers: [{name: s, command: ["{{echo}}"], args: [--port, "8080", --quiet]}]
        ---
        kind: Pod
        metadata: {name: idle, namespace: plain}
        spec: {nodeName: node1, containers: [{command: [sleep, infinity]}]}
        """;

    /// <summary>Pods whose command is curl to the server: the connection leaves at the pod's first instant.</summary>
    private static LabFile Starters(string prefix, int count, string serverIp)
    {
        var yaml = new StringBuilder();
        for (var i = 0; i < count; i++)
        {
            yaml.Append($$"""
                ---
                kind: Pod
                metadata: {name: {{prefix}}-{{i}}, namespace: app}
                spec:
                  nodeName: node1
                  serviceAccountName: starter
                  containers: [{name: c, command: [curl, -sS, -m, "10", -o, /dev/null, -w, "%{http_code}\n", "http://{{serverIp}}:8080/"]}]

                """);
        }
        return LabFileParser.Parse(yaml.ToString(), prefix + ".yaml", RepoPaths.Root);
    }

    [RootFact]
    public async Task PodStart_CommandConnectsAtItsFirstInstant_CapturedOnEveryStart_WindowWithoutCni()
    {
        const int starts = 50;
        await using var lab = await LabFixture.StartAsync(Cluster.Replace("{{echo}}", RepoPaths.Echo, StringComparison.Ordinal));
        await lab.StartMeshAsync();
        await lab.WaitForCaptureAsync("server");
        var server = lab.Pod("server").Ip;

        await lab.Lab.ApplyAsync(Starters("meshed", starts, server));
        var meshed = await CountAsync(lab, "meshed", starts, server);
        const int bareStarts = 20;
        await lab.Lab.ApplyAsync(Starters("bare", bareStarts, server), meshCni: false);
        var bare = await CountAsync(lab, "bare", bareStarts, server);
        bare = (bare.Tunnels - meshed.Tunnels, bare.Plaintext - meshed.Plaintext);

        output.WriteLine($"with mesh-cni: {meshed.Tunnels} of {starts} connections arrived over HBONE with the client's identity, {meshed.Plaintext} in plaintext");
        output.WriteLine($"without mesh-cni: {bare.Tunnels} of {bareStarts} over HBONE, {bare.Plaintext} in plaintext");
        Assert.True(meshed.Tunnels == starts && meshed.Plaintext == 0, $"meshed: {meshed}\n{lab.ZtunnelLogs()}");
        Assert.True(bare.Plaintext > 0, $"without mesh-cni every pod was captured before its first connection: {bare}");
    }

    [RootFact]
    public async Task PodStart_ZtunnelDown_EnrolledPodFailsWithCniErrorThenRetryCaptured_PlainPodStarts()
    {
        await using var lab = await LabFixture.StartAsync(Cluster.Replace("{{echo}}", RepoPaths.Echo, StringComparison.Ordinal));
        await lab.StartMeshAsync();
        var ztunnel = lab.State.Processes.Single(p => p.Name == LabMesh.ZtunnelLog("node1"));
        await lab.Lab.StopProcessAsync(new LabProcess(ztunnel.Name, ztunnel.Where, ztunnel.Pid, ztunnel.LogPath), TimeSpan.FromSeconds(10));

        var enrolled = LabFileParser.Parse("""
            kind: Pod
            metadata: {name: late, namespace: app}
            spec: {nodeName: node1, containers: [{command: [sleep, infinity]}]}
            """, "late.yaml", RepoPaths.Root);
        var refused = await Assert.ThrowsAsync<Mesh.Lab.LabException>(() => lab.Lab.ApplyAsync(enrolled));
        output.WriteLine(refused.Message);
        Assert.Contains("mesh-cni", refused.Message, StringComparison.Ordinal);
        Assert.Contains("cannot reach ztunnel", refused.Message, StringComparison.Ordinal);
        Assert.Contains("(CNI error 11)", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(lab.State.Pods, p => p.Name == "late");
        Assert.False(File.Exists($"/run/netns/{lab.Name}-app-late"), "the failed sandbox was left behind");

        // A namespace that is not enrolled: the pod starts while ztunnel is down.
        var plain = await lab.Lab.ApplyAsync(LabFileParser.Parse("""
            kind: Pod
            metadata: {name: other, namespace: plain}
            spec: {nodeName: node1, containers: [{command: [sleep, infinity]}]}
            """, "other.yaml", RepoPaths.Root));
        Assert.Single(plain);

        // ztunnel back; the kubelet's retry of the sandbox now succeeds and the pod is captured before it runs.
        lab.Lab.StartNodeProcess("node1", ztunnel.Argv, ztunnel.Name + "-again");
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await lab.Lab.ApplyAsync(enrolled);
                break;
            }
            catch (Mesh.Lab.LabException) when (clock.Elapsed < TimeSpan.FromSeconds(60))
            {
                await Task.Delay(500);
            }
        }
        await lab.WaitForCaptureAsync("late", timeout: TimeSpan.FromSeconds(1));
    }

    [RootFact]
    public async Task Restart_With100RunningPods_AllFoundAndCapturedWithoutCniCalls()
    {
        const int count = 100;
        var yaml = new StringBuilder(Cluster.Replace("{{echo}}", RepoPaths.Echo, StringComparison.Ordinal));
        for (var i = 0; i < count; i++)
        {
            yaml.Append($$"""

                ---
                kind: Pod
                metadata: {name: run-{{i}}, namespace: app}
                spec: {nodeName: node1, containers: [{command: [sleep, infinity]}]}
                """);
        }
        await using var lab = await LabFixture.StartAsync(yaml.ToString());
        await lab.StartMeshAsync();
        var ztunnel = lab.State.Processes.Single(p => p.Name == LabMesh.ZtunnelLog("node1"));
        await LabFixture.WaitUntilAsync(() => Task.FromResult(Enrolled(lab.ProcessLog(ztunnel.Name)) >= count), TimeSpan.FromSeconds(120),
            "the first ztunnel did not capture every running pod");
        await lab.Lab.StopProcessAsync(new LabProcess(ztunnel.Name, ztunnel.Where, ztunnel.Pid, ztunnel.LogPath), TimeSpan.FromSeconds(10));

        var clock = Stopwatch.StartNew();
        var again = lab.Lab.StartNodeProcess("node1", ztunnel.Argv, ztunnel.Name + "-again");
        await LabFixture.WaitUntilAsync(() => Task.FromResult(Enrolled(lab.ProcessLog(again.Name)) >= count), TimeSpan.FromSeconds(120),
            "the restarted ztunnel did not capture every running pod");
        var elapsed = clock.Elapsed;

        var log = lab.ProcessLog(again.Name);
        output.WriteLine($"restarted ztunnel: {count} running pods found and captured {elapsed.TotalSeconds:F1} s after its start");
        output.WriteLine(string.Join('\n', log.Split('\n').Where(l => l.Contains("running pods:", StringComparison.Ordinal))));
        Assert.DoesNotContain("cni add", log, StringComparison.Ordinal);
        foreach (var name in new[] { "run-0", $"run-{count - 1}" })
        {
            await lab.WaitForCaptureAsync(name, timeout: TimeSpan.FromSeconds(5));
        }
    }

    private static int Enrolled(string log) => log.Split('\n').Count(l => l.Contains("enrolled: listeners 15001/15006/15008", StringComparison.Ordinal));

    /// <summary>
    /// Waits until every starter's curl ended (each printed 200), then counts in node2's ztunnel log the connections to
    /// the server that came over HBONE with the starters' identity and those that came in plaintext from node1's pods.
    /// </summary>
    private static async Task<(int Tunnels, int Plaintext)> CountAsync(LabFixture lab, string prefix, int count, string serverIp)
    {
        var pods = lab.State.Pods.Where(p => p.Name.StartsWith(prefix + "-", StringComparison.Ordinal)).ToList();
        Assert.Equal(count, pods.Count);
        await LabFixture.WaitUntilAsync(() => Task.FromResult(pods.All(p => File.Exists(p.LogPath) && File.ReadAllText(p.LogPath).Contains('\n'))),
            TimeSpan.FromSeconds(60), "not every starter finished its curl");
        var failed = pods.Where(p => File.ReadAllText(p.LogPath).Trim() != "200").ToList();
        Assert.True(failed.Count == 0, string.Join("\n", failed.Select(p => $"{p.Name} {p.Ip}: {File.ReadAllText(p.LogPath).Trim()}")) + "\n" +
            string.Join("\n", lab.ZtunnelLogs().Split('\n').Where(l => failed.Any(p => l.Contains(p.Ip + ":", StringComparison.Ordinal) || l.Contains(p.Name, StringComparison.Ordinal)))));
        // The console logger writes from its own thread: give it the moment to flush the last lines.
        await Task.Delay(1000);
        var log = lab.ProcessLog(LabMesh.ZtunnelLog("node2")).Split('\n');
        // ztunnel names a pod by its uid in these lines.
        var server = lab.Pod("server").KubeUid;
        var tunnels = log.Count(l => l.Contains($"inbound {server}: tunnel from spiffe://cluster.local/ns/app/sa/starter to {serverIp}", StringComparison.Ordinal));
        var podRange = lab.State.Nodes.Single(n => n.Name == "node1").PodCidr.Split('/')[0].TrimEnd('0');
        var plaintext = log.Count(l => l.Contains($"inbound {server}: plaintext {podRange}", StringComparison.Ordinal));
        return (tunnels, plaintext);
    }
}
