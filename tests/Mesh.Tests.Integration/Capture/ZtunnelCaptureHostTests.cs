using System.Text.Json;
using Mesh.Native;
using Mesh.Tests.Common;

namespace Mesh.Tests.Integration.Capture;

/// <summary>The ztunnel executable capturing pods, crashing, starting again and uninstalling (root).</summary>
public sealed class ZtunnelCaptureHostTests
{
    private const string Refused = "curl: (7)";

    [RootFact]
    public void Sigkill_TcxLinks_PodStaysCapturedAndRefusedUntilNextStartAdoptsThenUninstallRemovesAll()
    {
        Assert.True(BpfFeatures.ProbeTcx(out _), "this kernel has no TCX (6.6+); the clsact test covers older kernels");
        using var net = new CaptureTestNetwork("a", "b");
        var client = net["a"];
        using var server = new TestHttpServer(net["b"], 8080);
        using var app = new TestHttpServer(client, 8081);
        var podsFile = WritePodsFile(net);
        var instance = CaptureHarness.NewInstance();
        var pins = $"/sys/fs/bpf/mesh/{instance}";
        var outbound = $"curl -sS --max-time 5 http://{server.Endpoint}/";
        var inbound = $"curl -sS --max-time 5 http://{app.Endpoint}/";
        try
        {
            var before = LinkIds();
            HashSet<int> mine;
            using (var first = new ZtunnelProcess(podsFile, "enrolled", "tcx", instance))
            {
                Assert.True(first.WaitFor("ready: 1 pod(s) enrolled"), first.AllOutput);
                Assert.Equal(0, client.Exec(outbound).Code);
                // bpftool 7.1 predates TCX (it prints "type 11"): look at the links ztunnel made, 5 cgroup + 1 TCX.
                mine = LinkIds().Except(before).ToHashSet();
                Assert.True(mine.Count == 6, Shell.Run("bpftool link show"));
                first.SigKill();
            }

            // Dead process: the listeners are gone, the pinned links and programs are not.
            Assert.True(Eventually(() => !client.InNetns("ss -ltn").Contains(":1500", StringComparison.Ordinal)), client.InNetns("ss -ltn"));
            Assert.True(mine.IsSubsetOf(LinkIds()), Shell.Run("bpftool link show"));
            Assert.Equal(6, Directory.GetFiles(Directory.GetDirectories($"{pins}/pods").Single()).Length);
            Assert.Contains("connect4", Shell.Run($"bpftool cgroup show {client.CgroupPath}"));
            // Fail closed: the enrolled pod's connect is refused, never sent around ztunnel...
            var (code, output) = client.Exec(outbound);
            Assert.True(code == 7 && output.Contains(Refused, StringComparison.Ordinal), output);
            Assert.Single(server.Peers);
            // ...and plaintext to it is reset by the TC program (no listener), never handed to its app.
            var plain = net["b"].Exec(inbound);
            Assert.True(plain.Code == 7, plain.Output);
            Assert.Empty(app.Peers);

            using (var second = new ZtunnelProcess(podsFile, "enrolled", "tcx", instance))
            {
                Assert.True(second.WaitFor("ready: 1 pod(s) enrolled"), second.AllOutput);
                Assert.Contains(second.Output, l => l.Contains("adopted 1 pinned pod(s)", StringComparison.Ordinal));
                Assert.Contains(second.Output, l => l.Contains("6 pinned link(s) adopted", StringComparison.Ordinal));
                // The same links, now running the second process's programs.
                Assert.Equal(mine, LinkIds().Except(before).ToHashSet());
                var again = client.Exec(outbound);
                Assert.True(again.Code == 0, again.Output + second.AllOutput);
                Assert.Equal(0, net["b"].Exec(inbound).Code);
                // A clean stop keeps the pod captured (pins stay) for the next ztunnel.
                Assert.Equal(0, second.SigTerm());
                Assert.True(mine.IsSubsetOf(LinkIds()));
            }

            using (var uninstall = new ZtunnelProcess(["uninstall", "--pods-file", podsFile, "--instance", instance]))
            {
                Assert.Equal(0, uninstall.WaitForExit());
            }
            Assert.False(Directory.Exists(pins));
            Assert.True(Eventually(() => !LinkIds().Overlaps(mine)), Shell.Run("bpftool link show"));
            Assert.Equal(string.Empty, Shell.Run($"bpftool cgroup show {client.CgroupPath}").Trim());
            Assert.Equal(0, client.Exec(outbound).Code); // not captured any more: direct
        }
        finally
        {
            File.Delete(podsFile);
            Shell.Run($"rm -rf {pins}", check: false);
        }
    }

    [RootFact]
    public void Sigkill_ClsactFilter_StaysAndRefusesThenNextStartAdoptsItAndUninstallRemovesIt()
    {
        using var net = new CaptureTestNetwork("a", "b");
        var client = net["a"];
        using var server = new TestHttpServer(net["b"], 8080);
        using var app = new TestHttpServer(client, 8081);
        var podsFile = WritePodsFile(net);
        var instance = CaptureHarness.NewInstance();
        var curl = $"curl -sS --max-time 10 http://{server.Endpoint}/";
        try
        {
            using (var first = new ZtunnelProcess(podsFile, "enrolled", "clsact", instance))
            {
                Assert.True(first.WaitFor("ready: 1 pod(s) enrolled"), first.AllOutput);
                var (code, output) = client.Exec(curl);
                Assert.True(code == 0, output + first.AllOutput);
                Assert.True(first.WaitFor($"original destination {server.Endpoint}"), first.AllOutput);
                Assert.Contains(":15001", client.InNetns("ss -ltn"));
                Assert.Contains("capture_inbound", client.InNetns("tc filter show dev eth0 ingress"));
                // No ztunnel thread stayed in a pod's namespace after opening listeners and dialling.
                Assert.Empty(first.ThreadsOutsideHomeNamespace());
                first.SigKill();
            }

            // Dead process: listeners gone; the filter and the pinned cgroup links capture on, refusing.
            Assert.True(Eventually(() => !client.InNetns("ss -ltn").Contains(":1500", StringComparison.Ordinal)), client.InNetns("ss -ltn"));
            Assert.Contains("capture_inbound", client.InNetns("tc filter show dev eth0 ingress"));
            Assert.Contains("connect4", Shell.Run($"bpftool cgroup show {client.CgroupPath}"));
            Assert.Equal(7, client.Exec(curl).Code);
            Assert.Equal(7, net["b"].Exec($"curl -sS --max-time 5 http://{app.Endpoint}/").Code);
            Assert.Empty(app.Peers);

            using (var second = new ZtunnelProcess(podsFile, "enrolled", "clsact", instance))
            {
                Assert.True(second.WaitFor("ready: 1 pod(s) enrolled"), second.AllOutput);
                Assert.Contains(second.Output, l => l.Contains("adopted 1 pinned pod(s)", StringComparison.Ordinal));
                var again = client.Exec(curl);
                Assert.True(again.Code == 0, again.Output + second.AllOutput);
                Assert.True(second.WaitFor($"original destination {server.Endpoint}"), second.AllOutput);
                // The filter was replaced in place (one filter, running the new program).
                Assert.Single(client.InNetns("tc filter show dev eth0 ingress").Split('\n'), l => l.Contains("capture_inbound", StringComparison.Ordinal));
                second.SigKill();
            }

            // Uninstall (after a crash) leaves nothing at all.
            using (var uninstall = new ZtunnelProcess(["uninstall", "--pods-file", podsFile, "--instance", instance]))
            {
                Assert.Equal(0, uninstall.WaitForExit());
            }
            Assert.DoesNotContain("capture_inbound", client.InNetns("tc filter show dev eth0 ingress"));
            Assert.True(Eventually(() => Shell.Run($"bpftool cgroup show {client.CgroupPath}").Trim().Length == 0));
            Assert.False(Directory.Exists($"/sys/fs/bpf/mesh/{instance}"));
            Assert.DoesNotContain(":1500", client.InNetns("ss -ltn"));
        }
        finally
        {
            File.Delete(podsFile);
            Shell.Run($"rm -rf /sys/fs/bpf/mesh/{instance}", check: false);
        }
    }

    private static HashSet<int> LinkIds()
    {
        using var doc = JsonDocument.Parse(Shell.Run("bpftool -j link show"));
        return doc.RootElement.EnumerateArray().Select(l => l.GetProperty("id").GetInt32()).ToHashSet();
    }

    /// <summary>pods.json as the lab's CNI writes it: pod a in namespace "enrolled", the others in "plain".</summary>
    private static string WritePodsFile(CaptureTestNetwork net)
    {
        var pods = net.Pods.Select(p => new
        {
            uid = p.Uid,
            name = p.Uid.Split('/')[1],
            @namespace = p.Uid.EndsWith("/a", StringComparison.Ordinal) ? "enrolled" : "plain",
            serviceAccount = "default",
            ip = p.Ip.ToString(),
            netnsPath = p.NetnsPath,
            cgroupPath = p.CgroupPath,
            node = "node1",
            labels = new Dictionary<string, string>(),
        });
        var path = Path.Combine(Path.GetTempPath(), $"mesh-ebpf-pods-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, JsonSerializer.Serialize(pods));
        return path;
    }

    /// <summary>Polls a condition the kernel settles asynchronously (link release after exit) for up to 10 s.</summary>
    private static bool Eventually(Func<bool> condition)
    {
        for (var i = 0; i < 100; i++)
        {
            if (condition())
            {
                return true;
            }
            Thread.Sleep(100);
        }
        return false;
    }
}
