using System.Text.Json;
using Mesh.Lab.Launch;
using Mesh.Lab.Planning;
using Mesh.Tests.Common;
using Mesh.Tests.Common.Lab;
using Mesh.Tests.Integration.DataPath;
using static Mesh.Tests.Integration.Capture.ZtunnelSigkillLabTests;

namespace Mesh.Tests.Integration.Capture;

/// <summary>
/// The pinned capture with clsact filters (the kernels without TCX) on the lab: it outlives a SIGKILLed ztunnel and
/// refuses, the restarted ztunnel adopts the same links and the filter in place, a clean stop keeps it, and
/// <c>ztunnel uninstall</c> removes every link, filter, route and pin (root, lab). TCX: <see cref="ZtunnelSigkillLabTests"/>.
/// </summary>
public sealed class ZtunnelUninstallLabTests
{
    private const string Filter = "capture_inbound";

    [RootFact]
    public async Task Uninstall_ClsactAfterSigkillRestartAndCleanStop_LinksAndFilterAdoptedInPlaceThenNothingLeft()
    {
        await using var lab = await LabFixture.StartAsync(MeshLabYaml.TwoNodes);
        await lab.StartMeshAsync(ztunnelArgs: ["--tc-mode", "clsact"]);
        await lab.WaitForListenerAsync("server", 8080);
        await lab.WaitForCaptureAsync("client");
        await lab.WaitForCaptureAsync("server");
        var client = lab.Pod("client");
        var url = $"http://{lab.Pod("server").Ip}:8080/";
        var pins = $"/sys/fs/bpf/mesh/{LabNames.ZtunnelInstance(lab.Name, "node1")}";
        var node1 = LabMesh.Ztunnel(lab.Lab, "node1");
        var node2 = LabMesh.Ztunnel(lab.Lab, "node2");
        Assert.Equal("200", (await Status(lab, url)).Stdout);
        Assert.Single(await Filters(lab, "client"));
        var links = PinnedLinkIds(pins);
        Assert.Equal(5, links.Count); // the cgroup programs; the clsact filter is no link

        await Signal(node1.Pid, "STOP");
        await Signal(node2.Pid, "STOP");
        try
        {
            // SIGKILL: the listeners go, the filters and the pinned cgroup links stay and refuse.
            await Signal(node1.ChildPid()!.Value, "KILL");
            await Signal(node2.ChildPid()!.Value, "KILL");
            await WaitNoListenerAsync(lab, "client", 15001);
            await WaitNoListenerAsync(lab, "server", 15006);
            Assert.Single(await Filters(lab, "client"));
            Assert.Contains("connect4", Shell.Run($"bpftool cgroup show {client.CgroupPath}"), StringComparison.Ordinal);
            Assert.Equal(7, (await lab.CurlAsync("client", url, "-m", "5")).ExitCode);
            var appLog = lab.Log("server");
            Assert.Equal(7, (await lab.CurlAsync("plain", url, "-m", "5")).ExitCode);
            Assert.Equal(appLog, lab.Log("server"));

            // The supervisors restart them: the same links and the filter replaced in place, the routes set once.
            await Signal(node1.Pid, "CONT");
            await Signal(node2.Pid, "CONT");
            await LabFixture.WaitUntilAsync(async () => (await Status(lab, url)).Stdout == "200", TimeSpan.FromSeconds(30),
                "traffic did not come back after the restart");
            var log = lab.ProcessLog(LabMesh.ZtunnelLog("node1"));
            Assert.Contains("adopted 1 pinned pod(s)", log, StringComparison.Ordinal);
            Assert.Contains("TC ClsactFilter on eth0", log, StringComparison.Ordinal);
            Assert.Contains("5 pinned link(s) adopted", log, StringComparison.Ordinal);
            Assert.Equal(links, PinnedLinkIds(pins));
            Assert.Single(await Filters(lab, "client"));
            Assert.Single((await lab.ExecAsync("client", "ip", "rule")).Stdout.Split('\n'), l => l.Contains("fwmark 0x111", StringComparison.Ordinal));

            // A clean stop (SIGTERM) keeps the capture for the next ztunnel: still refused.
            await Signal(node1.Pid, "STOP");
            var pid = node1.ChildPid()!.Value;
            await Signal(pid, "TERM");
            // Its stopped supervisor does not reap it: ended is gone or a zombie.
            await LabFixture.WaitUntilAsync(() => Task.FromResult(Ended(pid)), TimeSpan.FromSeconds(30), "ztunnel did not stop on SIGTERM");
            Assert.Contains("stopped; the pods stay captured", lab.ProcessLog(LabMesh.ZtunnelLog("node1")), StringComparison.Ordinal);
            Assert.Equal(links, PinnedLinkIds(pins));
            Assert.Equal(7, (await lab.CurlAsync("client", url, "-m", "5")).ExitCode);

            using (var uninstall = new ZtunnelProcess(["uninstall", "--instance", LabNames.ZtunnelInstance(lab.Name, "node1"), "--pods-file", WritePodsFile(lab, "node1")]))
            {
                Assert.True(uninstall.WaitForExit() == 0, uninstall.AllOutput);
            }
            Assert.False(Directory.Exists(pins));
            Assert.Empty(await Filters(lab, "client"));
            Assert.DoesNotContain("fwmark", (await lab.ExecAsync("client", "ip", "rule")).Stdout, StringComparison.Ordinal);
            await LabFixture.WaitUntilAsync(() => Task.FromResult(Shell.Run($"bpftool cgroup show {client.CgroupPath}").Trim().Length == 0),
                TimeSpan.FromSeconds(10), "the cgroup programs outlived the uninstall");
            await LabFixture.WaitUntilAsync(() => Task.FromResult(!LinkIds().Overlaps(links)), TimeSpan.FromSeconds(10),
                "the links outlived the uninstall: " + Shell.Run("bpftool link show"));
            // Not captured any more: the client's connect goes out as it would without the mesh.
            var direct = await Status(lab, url);
            Assert.True(direct.Stdout == "200", direct.Stderr + lab.ZtunnelLogs());
        }
        finally
        {
            await Signal(node1.Pid, "CONT");
            await Signal(node2.Pid, "CONT");
        }
    }

    private static bool Ended(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z');
        }
        catch (IOException)
        {
            return true;
        }
    }

    private static Task<Mesh.Lab.Runtime.CommandResult> Status(LabFixture lab, string url) =>
        lab.CurlAsync("client", url, "-m", "5", "-o", "/dev/null", "-w", "%{http_code}");

    /// <summary>The pod's TC ingress filters running the capture program.</summary>
    private static async Task<string[]> Filters(LabFixture lab, string pod) =>
        (await lab.ExecAsync(pod, "tc", "filter", "show", "dev", "eth0", "ingress")).Stdout.Split('\n')
            .Where(l => l.Contains(Filter, StringComparison.Ordinal)).ToArray();

    private static Task WaitNoListenerAsync(LabFixture lab, string pod, int port) =>
        LabFixture.WaitUntilAsync(async () => !(await lab.ExecAsync(pod, "ss", "-Hltn", $"sport = :{port}")).Stdout.Contains("LISTEN", StringComparison.Ordinal),
            TimeSpan.FromSeconds(10), $"ztunnel's listener on {pod}:{port} outlived it");

    /// <summary>The ids of the links pinned under the instance's pods folder.</summary>
    internal static HashSet<int> PinnedLinkIds(string pins) =>
        Directory.GetFiles(Path.Combine(pins, "pods"), "*", SearchOption.AllDirectories).Select(file =>
        {
            using var doc = JsonDocument.Parse(Shell.Run($"bpftool -j link show pinned {file}"));
            return doc.RootElement.GetProperty("id").GetInt32();
        }).ToHashSet();

    /// <summary>The node's pods as <c>ztunnel uninstall --pods-file</c> reads them, from lab.json (in the lab's state folder).</summary>
    private static string WritePodsFile(LabFixture lab, string node)
    {
        var pods = lab.State.Pods.Where(p => p.Node == node).Select(p => new
        {
            uid = p.KubeUid, name = p.Name, @namespace = p.Namespace, serviceAccount = p.ServiceAccount, ip = p.Ip,
            netnsPath = p.NetnsPath, cgroupPath = p.CgroupPath, labels = p.Labels,
        });
        var path = Path.Combine(lab.State.StateDir, $"pods-{node}.json");
        File.WriteAllText(path, JsonSerializer.Serialize(pods));
        return path;
    }
}
