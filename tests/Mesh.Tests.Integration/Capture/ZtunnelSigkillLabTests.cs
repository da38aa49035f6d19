using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Mesh.Lab.Launch;
using Mesh.Lab.Runtime;
using Mesh.Tests.Common;
using Mesh.Tests.Common.Lab;
using Mesh.Tests.Integration.DataPath;

namespace Mesh.Tests.Integration.Capture;

/// <summary>
/// Fail closed on the lab: with ztunnel SIGKILLed (its supervisor held), the pinned capture refuses an enrolled pod's
/// connections and plaintext to an enrolled STRICT pod; the supervisor's restart brings traffic back; lab down removes
/// every pin (root, lab).
/// </summary>
public sealed class ZtunnelSigkillLabTests
{
    private const int Connections = 50;

    private static readonly string s_lab = MeshLabYaml.TwoNodes.Replace(
        "{name: server, namespace: app, labels: {app: server}}",
        "{name: server, namespace: app, labels: {app: server, mesh.dev/mtls-mode: strict}}", StringComparison.Ordinal) + """

        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: plainserver, namespace: outside, labels: {app: plainserver}}
        spec:
          nodeName: node2
          containers: [{name: s, command: ["{{echo}}"], args: [--port, "8080"]}]
        """;

    [RootFact]
    public async Task Sigkill_ZtunnelOnClientNode_NoPlaintextLeavesAllRefusedThenRestartFlowsAndDownLeavesNoPins()
    {
        await using var lab = await LabFixture.StartAsync(s_lab);
        var linksBefore = LinkIds();
        await lab.StartMeshAsync();
        await lab.WaitForListenerAsync("server", 8080);
        await lab.WaitForListenerAsync("plainserver", 8080);
        await lab.WaitForCaptureAsync("client");
        await lab.WaitForCaptureAsync("server");
        var server = lab.Pod("server").Ip;
        var url = $"http://{server}:8080/";
        var ok = await lab.CurlAsync("client", url, "-o", "/dev/null", "-w", "%{http_code}");
        Assert.True(ok.Stdout == "200", ok.Stderr + lab.ZtunnelLogs());
        var node1 = LabMesh.Ztunnel(lab.Lab, "node1");
        // The client's links (5 cgroup + 1 TCX), pinned: the restarted ztunnel must adopt these very links.
        var pins = $"/sys/fs/bpf/mesh/{Mesh.Lab.Planning.LabNames.ZtunnelInstance(lab.Name, "node1")}";
        var pinned = ZtunnelUninstallLabTests.PinnedLinkIds(pins);
        Assert.Equal(6, pinned.Count);
        var node2 = LabMesh.Ztunnel(lab.Lab, "node2");

        // Hold node1's supervisor (as a kubelet in backoff would be) and kill ztunnel hard.
        await Signal(node1.Pid, "STOP");
        try
        {
            await Signal(node1.ChildPid()!.Value, "KILL");
            await LabFixture.WaitUntilAsync(async () => !(await lab.ExecAsync("client", "ss", "-Hltn", "sport = :15001")).Stdout.Contains("LISTEN", StringComparison.Ordinal),
                TimeSpan.FromSeconds(10), "ztunnel's listeners outlived it");

            var marker = "MESH-FAILOPEN-" + Guid.NewGuid().ToString("N");
            var control = "MESH-CONTROL-" + Guid.NewGuid().ToString("N");
            var pcap = Path.Combine(lab.State.StateDir, "node1-link.pcap");
            var (loop, seen) = await CaptureNodeLinkAsync(lab, pcap, async () =>
            {
                // Positive control: plaintext that does leave the node (non-mesh to non-mesh) is in the capture.
                var plain = await lab.CurlAsync("plain", $"http://{lab.Pod("plainserver").Ip}:8080/", "--data", control);
                Assert.True(plain.Ok, plain.Stderr);
                return await lab.ExecAsync("client", "sh", "-c",
                    $"for i in $(seq {Connections}); do curl -s -o /dev/null -m 5 --data {marker}-$i {url}; echo rc=$?; done");
            });
            var codes = loop.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(Connections, codes.Length);
            // Every connect was refused at once (curl 7: ECONNREFUSED on the pinned redirect to 127.0.0.1:15001)...
            Assert.True(codes.All(c => c == "rc=7"), string.Join(' ', codes));
            // ...and not one byte of them left the node in plaintext.
            Assert.Equal(-1, seen.AsSpan().IndexOf(Encoding.ASCII.GetBytes(marker)));
            Assert.NotEqual(-1, seen.AsSpan().IndexOf(Encoding.ASCII.GetBytes(control)));

            // Kill the server node's ztunnel too: plaintext from a non-mesh pod to the STRICT pod is reset by the pinned
            // TC program, never handed to the app.
            await Signal(node2.Pid, "STOP");
            await Signal(node2.ChildPid()!.Value, "KILL");
            // A killed process's sockets close only once the kernel has reaped it: until then a connect can still be
            // accepted by its listener (curl 56, not 7) under load.
            await LabFixture.WaitUntilAsync(async () => !(await lab.ExecAsync("server", "ss", "-Hltn", "sport = :15006")).Stdout.Contains("LISTEN", StringComparison.Ordinal),
                TimeSpan.FromSeconds(10), "node2's ztunnel listeners outlived it");
            var appLogBefore = lab.Log("server");
            var outsider = await lab.CurlAsync("plain", url, "-m", "5");
            Assert.Equal(7, outsider.ExitCode);
            Assert.Equal(appLogBefore, lab.Log("server"));
        }
        finally
        {
            await Signal(node1.Pid, "CONT");
            await Signal(node2.Pid, "CONT");
        }

        // The supervisors restart both ztunnels; the new ones adopt the pins. Time from the restart to the first 200.
        var clock = Stopwatch.StartNew();
        await LabFixture.WaitUntilAsync(() => Task.FromResult(node1.ChildPid() is not null && node2.ChildPid() is not null),
            TimeSpan.FromSeconds(10), "the supervisors did not restart ztunnel");
        var restarted = clock.Elapsed;
        CommandResult again;
        do
        {
            again = await lab.CurlAsync("client", url, "-m", "1", "-o", "/dev/null", "-w", "%{http_code}");
        }
        while (again.Stdout != "200" && clock.Elapsed < TimeSpan.FromSeconds(30));
        var flowing = clock.Elapsed;
        Console.WriteLine($"ztunnel SIGKILL: supervisor restarted it {restarted.TotalMilliseconds:0} ms after release; traffic flowed again {flowing.TotalMilliseconds:0} ms after release");
        Assert.True(again.Stdout == "200", again.Stderr + lab.ZtunnelLogs());
        // The issue's bound: traffic within 2 s of the restart (0.4-0.65 s with both cores loaded; a connection that
        // arrived before the pod's certificate once waited out the 10 s handshake timeout here).
        Assert.True(flowing - restarted < TimeSpan.FromSeconds(2), $"traffic came back {(flowing - restarted).TotalMilliseconds:0} ms after the restart, not within 2 s\n{lab.ZtunnelLogs()}");
        Assert.Contains("adopted 1 pinned pod(s)", lab.ProcessLog(LabMesh.ZtunnelLog("node1")), StringComparison.Ordinal);
        Assert.Contains("6 pinned link(s) adopted", lab.ProcessLog(LabMesh.ZtunnelLog("node1")), StringComparison.Ordinal);
        Assert.Equal(pinned, ZtunnelUninstallLabTests.PinnedLinkIds(pins));

        // SIGKILL again, then down: no pin, link or folder of the lab is left.
        await Signal(node1.ChildPid()!.Value, "KILL");
        var mine = LinkIds().Except(linksBefore).ToHashSet();
        Assert.NotEmpty(mine);
        await Mesh.Lab.Runtime.Lab.DownAsync(lab.Plan.Environment, lab.Name);
        Assert.Empty(Directory.Exists("/sys/fs/bpf/mesh") ? Directory.GetDirectories("/sys/fs/bpf/mesh", lab.Name + "-*") : []);
        await LabFixture.WaitUntilAsync(() => Task.FromResult(!LinkIds().Overlaps(mine)), TimeSpan.FromSeconds(10),
            "links of the lab outlived lab down: " + Shell.Run("bpftool link show"));
    }

    /// <summary>Runs <paramref name="traffic"/> while tcpdump records node1's link to the bridge; returns its result and the capture.</summary>
    private static async Task<(CommandResult Result, byte[] Capture)> CaptureNodeLinkAsync(LabFixture lab, string pcap, Func<Task<CommandResult>> traffic)
    {
        using var dump = Process.Start(new ProcessStartInfo("ip",
            ["netns", "exec", lab.State.Fabric.Netns, "tcpdump", "-U", "-s", "0", "-i", $"{lab.Name}-n1", "-w", pcap])
        { RedirectStandardError = true })!;
        try
        {
            await LabFixture.WaitUntilAsync(() => Task.FromResult(File.Exists(pcap)), TimeSpan.FromSeconds(10), "tcpdump did not start");
            await Task.Delay(300);
            var result = await traffic();
            await Task.Delay(300);
            dump.Kill();
            await dump.WaitForExitAsync();
            return (result, await File.ReadAllBytesAsync(pcap));
        }
        finally
        {
            if (!dump.HasExited)
            {
                dump.Kill();
            }
        }
    }

    internal static async Task Signal(int pid, string signal) =>
        await Mesh.Lab.Runtime.Shell.RunAsync("kill", [$"-{signal}", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)], null, TimeSpan.FromSeconds(10));

    internal static HashSet<int> LinkIds()
    {
        using var doc = JsonDocument.Parse(Shell.Run("bpftool -j link show"));
        return doc.RootElement.EnumerateArray().Select(l => l.GetProperty("id").GetInt32()).ToHashSet();
    }
}
