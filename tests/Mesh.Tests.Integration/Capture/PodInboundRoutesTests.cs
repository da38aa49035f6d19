using Mesh.Tests.Common;

namespace Mesh.Tests.Integration.Capture;

/// <summary>
/// Source preservation on the inbound side (root): ztunnel dials the app from the client's address, which needs a
/// fwmark rule, a local route and tcp_fwmark_accept in the pod, set up at enroll and removed at unenroll.
/// </summary>
public sealed class PodInboundRoutesTests
{
    private const string Rule = "fwmark 0x111 lookup 100";

    [RootFact]
    public void Enroll_PlaintextFromNonMeshPod_AppSeesClientAddress()
    {
        using var net = new CaptureTestNetwork("a", "b");
        var outsider = net["a"];
        var target = net["b"];
        using var server = new TestHttpServer(target, 8080);
        using var harness = new CaptureHarness(net.Pods.Select(p => p.ToCapture()));
        harness.Enroller.Enroll(target.ToCapture());

        var (code, output) = outsider.Exec($"curl -sS --max-time 10 http://{server.Endpoint}/");

        Assert.True(code == 0, output + target.InNetns("ip rule") + target.InNetns("ip route show table all") + target.InNetns("sysctl net.ipv4.tcp_fwmark_accept"));
        Assert.Equal(1, harness.CountLog($"inbound {target.Uid}: {outsider.Ip}:", "accepted on 15006"));
        // The app accepted a connection from the outsider's address (through ztunnel, not around it).
        Assert.Equal(outsider.Ip, Assert.Single(server.Peers).Address);
        Assert.Contains($"peer={outsider.Ip}:", output);
        Assert.Contains(Rule, target.InNetns("ip rule"));
        Assert.Contains("local default dev lo", target.InNetns("ip route show table 100"));
        Assert.Equal("1", target.InNetns("sysctl -n net.ipv4.tcp_fwmark_accept").Trim());
        Assert.Empty(harness.LogLines("could not be set up"));
        Assert.Empty(CaptureHarness.ThreadsOutsideHomeNamespace());
    }

    [RootFact]
    public void Unenroll_EnrolledPod_LeavesNoRuleRouteOrSysctl()
    {
        using var net = new CaptureTestNetwork("a");
        var pod = net["a"];
        using var harness = new CaptureHarness(net.Pods.Select(p => p.ToCapture()));
        harness.Enroller.Enroll(pod.ToCapture());
        Assert.Contains(Rule, pod.InNetns("ip rule"));

        Assert.True(harness.Enroller.Unenroll(pod.Uid));

        Assert.DoesNotContain("fwmark", pod.InNetns("ip rule"));
        Assert.Equal(string.Empty, pod.InNetns("ip route show table 100").Trim());
        Assert.Equal("0", pod.InNetns("sysctl -n net.ipv4.tcp_fwmark_accept").Trim());
    }

    [RootFact]
    public void Start_RoutesLeftByCrashedZtunnel_RemovedAndEnrollSetsThemOnce()
    {
        using var net = new CaptureTestNetwork("a");
        var pod = net["a"];
        // What a ztunnel killed while the pod was enrolled leaves behind.
        pod.InNetns("ip route add local 0.0.0.0/0 dev lo table 100");
        pod.InNetns("ip rule add fwmark 0x111 lookup 100 pref 32764");
        pod.InNetns("sysctl -w net.ipv4.tcp_fwmark_accept=1");

        using var harness = new CaptureHarness(net.Pods.Select(p => p.ToCapture()));
        var afterStart = pod.InNetns("ip rule");
        harness.Enroller.Enroll(pod.ToCapture());
        var afterEnroll = pod.InNetns("ip rule");

        Assert.DoesNotContain("fwmark", afterStart);
        Assert.Single(harness.LogLines("removed source-address routes a previous ztunnel left"));
        Assert.Single(afterEnroll.Split('\n'), l => l.Contains(Rule, StringComparison.Ordinal));
    }

    [RootFact]
    public void Enroll_SourcePreservationOff_AppSeesPodAddressAndNoRoutes()
    {
        using var net = new CaptureTestNetwork("a", "b");
        var outsider = net["a"];
        var target = net["b"];
        using var server = new TestHttpServer(target, 8080);
        using var harness = new CaptureHarness(net.Pods.Select(p => p.ToCapture()), preserveSourceAddress: false);
        harness.Enroller.Enroll(target.ToCapture());

        var (code, output) = outsider.Exec($"curl -sS --max-time 10 http://{server.Endpoint}/");

        Assert.True(code == 0, output + harness.AllLog);
        Assert.Equal(target.Ip, Assert.Single(server.Peers).Address);
        Assert.DoesNotContain("fwmark", target.InNetns("ip rule"));
    }

    [RootFact]
    public void Enroll_SocketWithInboundMark_IsNotRedirected()
    {
        using var net = new CaptureTestNetwork("a", "b");
        var client = net["a"];
        using var server = new TestHttpServer(net["b"], 8080);
        // Without the pod's routes: with them a socket carrying the inbound mark cannot reach out at all.
        using var harness = new CaptureHarness(net.Pods.Select(p => p.ToCapture()), preserveSourceAddress: false);
        harness.Enroller.Enroll(client.ToCapture());

        // The connect hook skips the inbound mark too (an app's accepted socket inherits it).
        var (code, output) = client.Exec($"{PeerProbe.Path} {server.Endpoint.Address} {server.Endpoint.Port} {harness.Options.InboundMark}");
        var (unmarkedCode, unmarked) = client.Exec($"{PeerProbe.Path} {server.Endpoint.Address} {server.Endpoint.Port}");

        Assert.True(code == 0, output);
        Assert.True(unmarkedCode == 0, unmarked);
        Assert.Single(harness.LogLines("(from the BPF map)")); // only the unmarked one went through ztunnel
        Assert.Equal(2, server.Peers.Count);
    }
}
