using Mesh.Tests.Common;

namespace Mesh.Tests.Integration.Capture;

/// <summary>eBPF capture end to end on real namespaces, cgroups and programs (root).</summary>
public sealed class RedirectionManagerTests
{
    [RootFact]
    public void Enroll_CurlInEnrolledPod_ReachesServerThroughZtunnelWithOriginalPeers()
    {
        using var net = new CaptureTestNetwork("a", "b");
        var client = net["a"];
        using var server = new TestHttpServer(net["b"], 8080);
        using var harness = new CaptureHarness(net.Pods.Select(p => p.ToCapture()));
        harness.Manager.Enroll(client.ToCapture());

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
}
