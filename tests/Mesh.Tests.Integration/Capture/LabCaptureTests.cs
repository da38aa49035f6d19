using Mesh.Lab.Launch;
using Mesh.Tests.Common;
using Mesh.Tests.Common.Lab;
using Mesh.Tests.Integration.DataPath;

namespace Mesh.Tests.Integration.Capture;

/// <summary>
/// eBPF capture as the mesh runs it on the lab (root): which sockets are steered into ztunnel, the original destination
/// read back from the BPF map, what the app sees on both ends, the pod's inbound routes, and ztunnel's threads.
/// </summary>
public sealed class LabCaptureTests
{
    /// <summary>ztunnel's SO_MARK and the inbound dial's (<c>RedirectionOptions</c>).</summary>
    private const string ZtunnelMark = "0x539";
    private const string InboundMark = "0x111";

    [RootFact]
    public async Task Capture_EnrolledPodOnMesh_OnlyItsUnmarkedConnectsReachZtunnelWithTheOriginalDestinationAndPeersLookUnchanged()
    {
        await using var lab = await LabFixture.StartAsync(MeshLabYaml.TwoNodes);
        await lab.StartMeshAsync();
        await lab.WaitForListenerAsync("server", 8080);
        await lab.WaitForCaptureAsync("client");
        await lab.WaitForCaptureAsync("server");
        var client = lab.Pod("client");
        var server = lab.Pod("server");
        var plain = lab.Pod("plain");
        string Node1() => lab.ProcessLog(LabMesh.ZtunnelLog("node1"));
        int Outbound(string uid) => Node1().Split('\n').Count(l => l.Contains($"outbound {uid}: ", StringComparison.Ordinal));

        // Marked sockets of the enrolled pod first: capture skips ztunnel's own mark (its dials out of the pod) and the
        // inbound mark (an app's accepted socket inherits it). ztunnel's mark goes straight to the server.
        var ztunnelMarked = await lab.ExecAsync("client", PeerProbe.Path, server.Ip, "8080", ZtunnelMark);
        await lab.ExecAsync("client", PeerProbe.Path, server.Ip, "8080", InboundMark);
        var captured = await lab.CurlAsync("client", $"http://{server.Ip}:8080/captured");
        var probe = await lab.ExecAsync("client", PeerProbe.Path, server.Ip, "8080");
        var direct = await lab.CurlAsync("plain", $"http://{server.Ip}:8080/direct");
        // The console logger writes from its own thread: the probe's line comes after the earlier connects' lines.
        await LabFixture.WaitUntilAsync(() => Outbound(client.KubeUid) >= 2, TimeSpan.FromSeconds(10), () => "ztunnel did not log the captured connects:\n" + Node1());

        Assert.True(captured.Ok, captured.Stderr + lab.ZtunnelLogs());
        Assert.True(direct.Ok, direct.Stderr + lab.ZtunnelLogs());
        Assert.True(ztunnelMarked.Ok, ztunnelMarked.Stderr + ztunnelMarked.Stdout);
        // Exactly the curl and the unmarked probe went through node1's ztunnel, each with the destination the app dialled
        // (read back from the BPF map by the client's address)...
        Assert.Equal(2, Outbound(client.KubeUid));
        Assert.Equal(2, Node1().Split('\n').Count(l => l.Contains($"outbound {client.KubeUid}: ", StringComparison.Ordinal)
            && l.Contains($"-> {server.Ip}:8080 via hbone", StringComparison.Ordinal)));
        // ...and nothing of the pod whose namespace is not enrolled.
        Assert.Equal(0, Outbound(plain.KubeUid));
        // The app's getpeername is the original destination, not 127.0.0.1:15001; both servers' peers are the clients'
        // own addresses, as without the mesh (the enrolled server's inbound routes make the dial from the client's address).
        Assert.True(probe.Ok, probe.Stderr);
        Assert.Contains($"getpeername={server.Ip}:8080", probe.Stdout, StringComparison.Ordinal);
        Assert.Contains($"getpeername={server.Ip}:8080", ztunnelMarked.Stdout, StringComparison.Ordinal);
        Assert.Equal(client.Ip, PodSocketFactoryTests.PeerAddress(captured.Stdout));
        Assert.Equal(plain.Ip, PodSocketFactoryTests.PeerAddress(direct.Stdout));
        // The plaintext from outside the mesh was handed to the server pod's 15006 by the TC program, the accepted
        // socket's local end being the original destination.
        await LabFixture.WaitUntilAsync(() => lab.ProcessLog(LabMesh.ZtunnelLog("node2")).Contains($"plaintext {plain.Ip}:", StringComparison.Ordinal),
            TimeSpan.FromSeconds(10), () => "node2's ztunnel did not log the plaintext connection:\n" + lab.ZtunnelLogs());
        Assert.Contains(lab.ProcessLog(LabMesh.ZtunnelLog("node2")).Split('\n'), l => l.Contains($"plaintext {plain.Ip}:", StringComparison.Ordinal)
            && l.Contains($"-> {server.Ip}:8080 allow", StringComparison.Ordinal));
        Assert.Contains("fwmark 0x111 lookup 100", (await lab.ExecAsync("server", "ip", "rule")).Stdout, StringComparison.Ordinal);
        Assert.Contains("local default dev lo", (await lab.ExecAsync("server", "ip", "route", "show", "table", "100")).Stdout, StringComparison.Ordinal);
        Assert.Equal("1", (await lab.ExecAsync("server", "sysctl", "-n", "net.ipv4.tcp_fwmark_accept")).Stdout.Trim());
        // No thread of ztunnel was left inside a pod's namespace after opening listeners and dialling.
        var pid = LabMesh.Ztunnel(lab.Lab, "node1").ChildPid()!.Value;
        var home = new FileInfo($"/proc/{pid}/ns/net").LinkTarget;
        Assert.All(Directory.GetDirectories($"/proc/{pid}/task"), t => Assert.Equal(home, new FileInfo(Path.Combine(t, "ns", "net")).LinkTarget));
    }
}
