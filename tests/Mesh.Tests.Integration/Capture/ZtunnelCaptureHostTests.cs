using System.Text.Json;
using Mesh.Native;
using Mesh.Tests.Common;

namespace Mesh.Tests.Integration.Capture;

/// <summary>The ztunnel executable capturing pods, crashing, and starting again (root).</summary>
public sealed class ZtunnelCaptureHostTests
{
    [RootFact]
    public void Sigkill_ClsactFilterLeftBehind_NextStartRemovesItAndCapturesAgain()
    {
        using var net = new CaptureTestNetwork("a", "b");
        var client = net["a"];
        using var server = new TestHttpServer(net["b"], 8080);
        var podsFile = WritePodsFile(net);
        var curl = $"curl -sS --max-time 10 http://{server.Endpoint}/";
        try
        {
            using (var first = new ZtunnelProcess(podsFile, "enrolled", "clsact"))
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

            // Dead process: listeners and cgroup links are gone; the clsact filter is not (the reason for cleanup).
            Assert.True(Eventually(() => !client.InNetns("ss -ltn").Contains(":1500", StringComparison.Ordinal)), client.InNetns("ss -ltn"));
            Assert.True(Eventually(() => Shell.Run($"bpftool cgroup show {client.CgroupPath}").Trim().Length == 0));
            Assert.Contains("capture_inbound", client.InNetns("tc filter show dev eth0 ingress"));

            using var second = new ZtunnelProcess(podsFile, "enrolled", "clsact");
            Assert.True(second.WaitFor("ready: 1 pod(s) enrolled"), second.AllOutput);
            Assert.Contains(second.Output, l => l.Contains($"removed a TC filter a previous ztunnel left on eth0 of pod {client.Uid}", StringComparison.Ordinal));
            var again = client.Exec(curl);
            Assert.True(again.Code == 0, again.Output + second.AllOutput);
            Assert.True(second.WaitFor($"original destination {server.Endpoint}"), second.AllOutput);
            Assert.Single(client.InNetns("tc filter show dev eth0 ingress").Split('\n'), l => l.Contains("capture_inbound", StringComparison.Ordinal));

            // A clean stop leaves nothing at all.
            Assert.Equal(0, second.SigTerm());
            Assert.DoesNotContain("capture_inbound", client.InNetns("tc filter show dev eth0 ingress"));
            Assert.Equal(string.Empty, Shell.Run($"bpftool cgroup show {client.CgroupPath}").Trim());
            Assert.DoesNotContain(":1500", client.InNetns("ss -ltn"));
        }
        finally
        {
            File.Delete(podsFile);
        }
    }

    [RootFact]
    public void Sigkill_TcxLinks_NothingLeftBehind()
    {
        Assert.True(BpfFeatures.ProbeTcx(out _), "this kernel has no TCX (6.6+); the clsact test covers older kernels");
        using var net = new CaptureTestNetwork("a", "b");
        var client = net["a"];
        var podsFile = WritePodsFile(net);
        try
        {
            var before = LinkIds();
            using var ztunnel = new ZtunnelProcess(podsFile, "enrolled", "tcx");
            Assert.True(ztunnel.WaitFor("ready: 1 pod(s) enrolled"), ztunnel.AllOutput);
            // bpftool 7.1 predates TCX (it prints "type 11"): look at the links ztunnel made, 5 cgroup + 1 TCX.
            var mine = LinkIds().Except(before).ToHashSet();
            var links = Shell.Run("bpftool link show");
            Assert.True(mine.Count == 6, links);
            Assert.Contains("type 11", links);
            var programs = ProgramIdsOfLinks(mine);
            ztunnel.SigKill();

            Assert.True(Eventually(() => !LinkIds().Overlaps(mine)), Shell.Run("bpftool link show"));
            Assert.True(Eventually(() => Shell.Run($"bpftool cgroup show {client.CgroupPath}").Trim().Length == 0));
            Assert.DoesNotContain(":1500", client.InNetns("ss -ltn"));
            // Nothing held the programs but ztunnel: they are unloaded too.
            Assert.True(Eventually(() => !Ids("prog", "id").Overlaps(programs)), Shell.Run("bpftool prog show"));
        }
        finally
        {
            File.Delete(podsFile);
        }
    }

    private static HashSet<int> LinkIds() => Ids("link", "id");

    private static HashSet<int> ProgramIdsOfLinks(IReadOnlySet<int> linkIds)
    {
        using var doc = JsonDocument.Parse(Shell.Run("bpftool -j link show"));
        return doc.RootElement.EnumerateArray()
            .Where(l => linkIds.Contains(l.GetProperty("id").GetInt32()))
            .Select(l => l.GetProperty("prog_id").GetInt32())
            .ToHashSet();
    }

    private static HashSet<int> Ids(string objectKind, string property)
    {
        using var doc = JsonDocument.Parse(Shell.Run($"bpftool -j {objectKind} show"));
        return doc.RootElement.EnumerateArray().Select(l => l.GetProperty(property).GetInt32()).ToHashSet();
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
