using Mesh.Lab.Launch;
using Mesh.Tests.Common;
using Mesh.Tests.Common.Lab;

namespace Mesh.Tests.Integration.DataPath;

/// <summary>
/// A ztunnel restart through the lab's supervisor: the new process takes the in-pod listeners over (SCM_RIGHTS) while
/// the old one drains its connections until they end or the drain deadline passes, then resets them (root, lab).
/// </summary>
public sealed class ZtunnelRestartTests
{
    private const int IdleConnections = 20;

    private const string Lab = MeshLabYaml.TwoNodes + """

        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: tcpecho, namespace: app, labels: {app: tcpecho}}
        spec:
          nodeName: node2
          serviceAccountName: server
          containers: [{name: e, command: ["{{echo}}"], args: [--mode, tcp-echo, --port, "9000"]}]
        """;

    [RootFact]
    public async Task Restart_DrainLongerThanTest_IdleConnectionsAndTransferKeepWorkingAfterTakeover()
    {
        await using var lab = await LabFixture.StartAsync(Lab);
        await lab.StartMeshAsync(drainTimeout: TimeSpan.FromMinutes(5));
        var (lines, oldPid, newPid, oldAliveAtTakeover) = await RestartWithConnectionsAsync(lab, afterTakeoverSeconds: 1);

        var report = $"{string.Join('\n', lines)}\n{lab.ZtunnelLogs()}";
        Assert.Equal(IdleConnections, lines.Count(l => l.StartsWith("idle ", StringComparison.Ordinal) && l.EndsWith(" ok", StringComparison.Ordinal)));
        var transfer = Assert.Single(lines, l => l.StartsWith("transfer ", StringComparison.Ordinal));
        Assert.True(transfer.StartsWith("transfer ok ", StringComparison.Ordinal) && long.Parse(transfer.Split(' ')[2]) > 0, report);
        // The old process was draining when the new one took over (it may end as soon as the client closed its
        // connections: a drain ends when the last connection does); the new one serves new connections.
        Assert.True(oldAliveAtTakeover, report);
        Assert.NotEqual(oldPid, newPid);
        var fresh = await lab.CurlAsync("client", $"http://{lab.Pod("server").Ip}:8080/", "-o", "/dev/null", "-w", "%{http_code}");
        Assert.True(fresh.Stdout == "200", fresh.Stderr + report);
        Assert.Contains("draining (a new ztunnel took over)", lab.ProcessLog(LabMesh.ZtunnelLog("node1")), StringComparison.Ordinal);
    }

    [RootFact]
    public async Task Restart_ShortDrain_RemainingConnectionsAreResetNotEnded()
    {
        await using var lab = await LabFixture.StartAsync(Lab);
        await lab.StartMeshAsync(drainTimeout: TimeSpan.FromSeconds(1));
        var (lines, _, _, _) = await RestartWithConnectionsAsync(lab, afterTakeoverSeconds: 4);

        var report = $"{string.Join('\n', lines)}\n{lab.ZtunnelLogs()}";
        Assert.True(IdleConnections == lines.Count(l => l.StartsWith("idle ", StringComparison.Ordinal) && l.EndsWith(" reset", StringComparison.Ordinal)), report);
        Assert.Contains("transfer reset ", report, StringComparison.Ordinal);
        Assert.Contains($"drained: {IdleConnections + 1} connection(s) reset at the deadline", lab.ProcessLog(LabMesh.ZtunnelLog("node1")), StringComparison.Ordinal);
    }

    /// <summary>
    /// Opens the connections from the client pod, restarts node1's ztunnel, waits until the new one took the listeners
    /// over, lets the client check every connection <paramref name="afterTakeoverSeconds"/> later; returns its report.
    /// </summary>
    private static async Task<(string[] Lines, int OldPid, int NewPid, bool OldAliveAtTakeover)> RestartWithConnectionsAsync(LabFixture lab, double afterTakeoverSeconds)
    {
        await lab.WaitForListenerAsync("tcpecho", 9000);
        await lab.WaitForCaptureAsync("client");
        var dir = lab.State.StateDir;
        var script = Path.Combine(dir, "long-connections.py");
        var go = Path.Combine(dir, "go");
        await File.WriteAllTextAsync(script, LongConnections.Script);
        var args = new[] { "/usr/bin/python3", script, lab.Pod("tcpecho").Ip, "9000", $"{IdleConnections}", go };
        var client = Task.Run(() => lab.Lab.ExecInPodAsync("client", args, timeout: TimeSpan.FromMinutes(2)));
        var ztunnel = LabMesh.Ztunnel(lab.Lab, "node1");
        var oldPid = ztunnel.ChildPid() ?? throw new InvalidOperationException("ztunnel on node1 is not running");
        var log = lab.ProcessLog(LabMesh.ZtunnelLog("node1"));
        await LabFixture.WaitUntilAsync(async () =>
            client.IsCompleted || lab.ProcessLog(LabMesh.ZtunnelLog("node1")).Split('\n').Count(l => l.Contains("via hbone", StringComparison.Ordinal)) >= IdleConnections + 1,
            TimeSpan.FromSeconds(60), "the client did not open its connections; " + lab.ZtunnelLogs());
        if (client.IsCompleted)
        {
            var early = await client;
            Assert.Fail($"the client ended before the restart: {early.Stdout}{early.Stderr}");
        }

        int newPid;
        try
        {
            newPid = await lab.Lab.RestartProcessAsync(ztunnel);
        }
        catch (Mesh.Lab.LabException e)
        {
            // The lab's logs go with it at dispose: say here what the supervisor and both ztunnels wrote.
            Assert.Fail($"{e.Message}\n{lab.ZtunnelLogs()}");
            throw;
        }
        await LabFixture.WaitUntilAsync(() => Task.FromResult(lab.ProcessLog(LabMesh.ZtunnelLog("node1"))[log.Length..]
                .Contains("took over the listeners of 1 pod(s)", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(60), "the new ztunnel did not take over; " + lab.ZtunnelLogs());
        var oldAlive = Directory.Exists($"/proc/{oldPid}");
        await File.WriteAllTextAsync(go, afterTakeoverSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var result = await client;
        Assert.True(result.Ok, result.Stdout + result.Stderr + lab.ZtunnelLogs());
        return (result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), oldPid, newPid, oldAlive);
    }
}
