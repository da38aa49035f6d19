using System.Net;
using System.Net.Sockets;
using Mesh.Native;
using Mesh.Tests.Common;
using Mesh.Ztunnel.Redirection;

namespace Mesh.Tests.Integration.Capture;

/// <summary>eBPF capture end to end on real namespaces, cgroups and programs (root).</summary>
public sealed class PodEnrollerTests
{
    [RootFact]
    public void Enroll_CurlInEnrolledPod_ReachesServerThroughZtunnelWithOriginalPeers()
    {
        using var net = new CaptureTestNetwork("a", "b");
        var client = net["a"];
        using var server = new TestHttpServer(net["b"], 8080);
        using var harness = new CaptureHarness(net.Pods.Select(p => p.ToCapture()));
        harness.Enroller.Enroll(client.ToCapture());

        var (code, output) = client.Exec($"curl -sS --max-time 10 http://{server.Endpoint}/");

        Assert.True(code == 0, $"curl failed: {output}\n{harness.AllLog}");
        // The server saw the client pod's address, as without the mesh.
        Assert.Contains($"peer={client.Ip}:", output);
        // ztunnel accepted it on 15001 and read the original destination from the map.
        Assert.Single(harness.LogLines($"original destination {server.Endpoint} (from the BPF map)"));
        // The app's getpeername shows the original destination, not 127.0.0.1:15001.
        var (probeCode, probe) = client.Exec($"{PeerProbe.Path} {server.Endpoint.Address} {server.Endpoint.Port}");
        Assert.True(probeCode == 0, probe);
        Assert.Contains($"getpeername={server.Endpoint}", probe);
        Assert.Contains($"peer={client.Ip}:", probe);
        Assert.Equal(2, harness.LogLines("(from the BPF map)").Length);
        Assert.Empty(CaptureHarness.ThreadsOutsideHomeNamespace());
    }

    [RootFact]
    public void Enroll_RunningPodEnrolledThenUnenrolled_CapturesOnlyItsConnectionsInBetween()
    {
        using var net = new CaptureTestNetwork("a", "b", "c");
        var other = net["a"];
        var pod = net["c"];
        using var server = new TestHttpServer(net["b"], 8080);
        using var harness = new CaptureHarness(net.Pods.Select(p => p.ToCapture()));
        harness.Enroller.Enroll(other.ToCapture());
        var curl = $"curl -sS --max-time 10 http://{server.Endpoint}/";

        // A pod whose namespace is not enrolled is not captured (another pod on the node is).
        var before = pod.Exec(curl);
        Assert.True(before.Code == 0, before.Output);
        Assert.Equal(0, harness.CountLog($"outbound {pod.Uid}: 127.0.0.1:", "original destination"));

        // Enrolling the running pod captures its next connection, no restart.
        harness.Enroller.Enroll(pod.ToCapture());
        var during = pod.Exec(curl);
        Assert.True(during.Code == 0, during.Output + harness.AllLog);
        Assert.Equal(1, harness.CountLog($"outbound {pod.Uid}: 127.0.0.1:", "original destination"));
        Assert.Contains($"peer={pod.Ip}:", during.Output);

        // Unenrolling it stops capture of its next connection; its listeners are gone.
        Assert.True(harness.Enroller.Unenroll(pod.Uid));
        var after = pod.Exec(curl);
        Assert.True(after.Code == 0, after.Output);
        Assert.Equal(1, harness.CountLog($"outbound {pod.Uid}: 127.0.0.1:", "original destination"));
        Assert.DoesNotContain(":15001", pod.InNetns("ss -ltn"));
        Assert.Equal(string.Empty, Shell.Run($"bpftool cgroup show {pod.CgroupPath}").Trim());
        Assert.Empty(CaptureHarness.ThreadsOutsideHomeNamespace());
    }

    [RootFact]
    public void Enroll_PlaintextFromNonMeshPod_LandsOnInboundListener()
    {
        using var net = new CaptureTestNetwork("a", "b");
        var outsider = net["a"];
        var target = net["b"];
        using var server = new TestHttpServer(target, 8080);
        using var harness = new CaptureHarness(net.Pods.Select(p => p.ToCapture()));
        harness.Enroller.Enroll(target.ToCapture());

        var (code, output) = outsider.Exec($"curl -sS --max-time 10 http://{server.Endpoint}/");

        Assert.True(code == 0, output + harness.AllLog);
        // TC handed the SYN to 15006; the accepted socket's local address was the original destination.
        Assert.Equal(1, harness.CountLog($"inbound {target.Uid}: {outsider.Ip}:", "accepted on 15006"));
        Assert.Single(harness.LogLines($"-> {server.Endpoint} (accepted on 15006)"));
        // ztunnel then dialled the app from inside the pod.
        Assert.Contains("peer=", output);
        Assert.Single(server.Peers);
        Assert.Empty(CaptureHarness.ThreadsOutsideHomeNamespace());
    }

    [RootFact]
    public void Enroll_SynToPort15008_LandsOnHboneListener()
    {
        using var net = new CaptureTestNetwork("a", "b");
        var target = net["b"];
        using var harness = new CaptureHarness(net.Pods.Select(p => p.ToCapture()));
        var listeners = harness.Enroller.Enroll(target.ToCapture());
        var accept = listeners.Hbone.AcceptAsync();

        var probe = Task.Run(() => net["a"].Exec($"{PeerProbe.Path} {target.Ip} 15008"));

        Assert.True(accept.Wait(TimeSpan.FromSeconds(10)), "nothing reached the HBONE listener");
        var local = accept.Result.LocalEndPoint;
        var remote = (IPEndPoint)accept.Result.RemoteEndPoint!;
        accept.Result.Dispose(); // the probe's read ends
        var (code, output) = probe.Result;
        Assert.True(code == 0, output);
        Assert.Equal(new IPEndPoint(target.Ip, 15008), local);
        Assert.Equal(net["a"].Ip, remote.Address);
    }

    [RootFact]
    public void Enroll_SocketWithZtunnelMark_IsNotRedirected()
    {
        using var net = new CaptureTestNetwork("a", "b");
        var client = net["a"];
        using var server = new TestHttpServer(net["b"], 8080);
        using var harness = new CaptureHarness(net.Pods.Select(p => p.ToCapture()));
        harness.Enroller.Enroll(client.ToCapture());

        // A socket in the enrolled pod's cgroup that carries ztunnel's mark goes straight out.
        var (code, output) = client.Exec($"{PeerProbe.Path} {server.Endpoint.Address} {server.Endpoint.Port} {harness.Options.ZtunnelMark}");

        Assert.True(code == 0, output);
        Assert.Contains($"peer={client.Ip}:", output);
        Assert.Empty(harness.LogLines("(from the BPF map)"));
        // And ztunnel's own dial for a captured connection is not captured again (no loop):
        // one captured connect gives exactly one ztunnel log line and one more server accept.
        var (curlCode, curl) = client.Exec($"curl -sS --max-time 10 http://{server.Endpoint}/");
        Assert.True(curlCode == 0, curl);
        Assert.Single(harness.LogLines("(from the BPF map)"));
        Assert.Equal(2, server.Peers.Count);
    }

    [RootFact]
    public void Start_BrokenBpfObject_FailsWithVerifierMessageInLog()
    {
        using var net = new CaptureTestNetwork("a");
        var dir = Directory.CreateTempSubdirectory("mesh-ebpf-broken-").FullName;
        try
        {
            File.Copy(Path.Combine(CaptureHarness.BpfDirectory(), "capture_connect.bpf.o"), Path.Combine(dir, "capture_connect.bpf.o"));
            // Reads packet data without a bounds check: the verifier must refuse it.
            File.WriteAllText(Path.Combine(dir, "broken.bpf.c"), """
                #include <linux/bpf.h>
                #include <bpf/bpf_helpers.h>
                SEC("tc")
                int capture_inbound(struct __sk_buff *skb)
                {
                    unsigned char *data = (unsigned char *)(long)skb->data;
                    return data[40];
                }
                char LICENSE[] SEC("license") = "GPL";
                """);
            Shell.Run($"clang-14 -O2 -g -target bpf -I/usr/include/x86_64-linux-gnu -c {dir}/broken.bpf.c -o {dir}/capture_tc.bpf.o");

            var log = new System.Collections.Concurrent.ConcurrentQueue<string>();
            var e = Assert.Throws<RedirectionException>(() => new CaptureHarness(net.Pods.Select(p => p.ToCapture()), bpfDirectory: dir, log: log));

            Assert.Contains("capture_tc.bpf.o", e.Message);
            Assert.Contains("invalid access to packet", e.Message);
            var bpf = Assert.IsType<BpfException>(e.InnerException);
            Assert.Equal("EACCES", bpf.ErrnoName);
            Assert.Contains("invalid access to packet", bpf.Detail);
            // libbpf's own log (the verifier's lines) went to ztunnel's logger.
            Assert.Contains(log, l => l.StartsWith("Warning: libbpf:", StringComparison.Ordinal) && l.Contains("invalid access to packet"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
