using System.Text.Json;
using Mesh.Lab.Launch;
using Mesh.Tests.Common;
using Mesh.Tests.Common.Lab;

namespace Mesh.Tests.Integration.DataPath;

/// <summary>
/// Source preservation on a 2-node lab (root): ztunnel dials the app from the client's address
/// (<c>PodSocketFactory.CreateToApp</c>), so the echo server reports the real client as its peer.
/// </summary>
public sealed class PodSocketFactoryTests
{
    [RootFact]
    public async Task CreateToApp_HbonePlaintextAndHairpin_AppSeesClientAddress()
    {
        await using var lab = await LabFixture.StartAsync(MeshLabYaml.TwoNodes);
        await lab.StartMeshAsync();
        await lab.WaitForListenerAsync("server", 8080);
        await lab.WaitForCaptureAsync("client");
        await lab.WaitForCaptureAsync("server");
        var server = lab.Pod("server").Ip;
        var vip = lab.State.Services.Single(s => s.Name == "server").ClusterIp;

        // (a) meshed pod on node1 -> meshed pod on node2: HBONE, the app sees the client pod.
        var hbone = await lab.CurlAsync("client", $"http://{server}:8080/hbone");
        // (b) a pod outside the mesh -> the enrolled (permissive) pod: plaintext on 15006, the app sees that pod.
        var plain = await lab.CurlAsync("plain", $"http://{server}:8080/plain");
        // The pod to its own service (HBONE to itself): still works, and the app sees its own address.
        var hairpin = await lab.CurlAsync("server", $"http://{vip}:80/hairpin");

        Assert.True(hbone.Ok, hbone.Stderr + lab.ZtunnelLogs());
        Assert.True(plain.Ok, plain.Stderr + lab.ZtunnelLogs());
        Assert.True(hairpin.Ok, hairpin.Stderr + lab.ZtunnelLogs());
        Assert.Equal(lab.Pod("client").Ip, PeerAddress(hbone.Stdout));
        Assert.Equal(lab.Pod("plain").Ip, PeerAddress(plain.Stdout));
        Assert.Equal(server, PeerAddress(hairpin.Stdout));
        // Each went the way it should: through ztunnel (HBONE for the meshed client, 15006 for the outsider).
        var node2 = lab.ProcessLog(LabMesh.ZtunnelLog("node2"));
        Assert.Contains("tunnel from spiffe://cluster.local/ns/app/sa/client", node2, StringComparison.Ordinal);
        Assert.Contains("plaintext", node2, StringComparison.Ordinal);
        Assert.DoesNotContain("source-address routes could not be set up", lab.ZtunnelLogs(), StringComparison.Ordinal);
    }

    [RootFact]
    public async Task CreateToApp_PodUnenrolled_NoRuleOrRouteLeftInPod()
    {
        await using var lab = await LabFixture.StartAsync(MeshLabYaml.TwoNodes);
        await lab.StartMeshAsync();
        await lab.WaitForListenerAsync("server", 8080);
        await lab.WaitForCaptureAsync("server");
        await LabFixture.WaitUntilAsync(async () => (await Rules(lab)).Contains("fwmark 0x111 lookup 100", StringComparison.Ordinal),
            TimeSpan.FromSeconds(10), "the enrolled pod has no source-address rule");

        lab.Lab.SetNamespaceLabel("app", "mesh.dev/dataplane-mode", null);
        await lab.WaitForCaptureAsync("server", captured: false);
        await LabFixture.WaitUntilAsync(async () => !(await Rules(lab)).Contains("fwmark", StringComparison.Ordinal),
            TimeSpan.FromSeconds(10), "the rule is still there after unenroll");
        var routes = await lab.ExecAsync("server", "ip", "route", "show", "table", "100");
        var sysctl = await lab.ExecAsync("server", "sysctl", "-n", "net.ipv4.tcp_fwmark_accept");
        var direct = await lab.CurlAsync("plain", $"http://{lab.Pod("server").Ip}:8080/");

        Assert.Equal(string.Empty, routes.Stdout.Trim());
        Assert.Equal("0", sysctl.Stdout.Trim());
        Assert.True(direct.Ok, direct.Stderr);
        Assert.Equal(lab.Pod("plain").Ip, PeerAddress(direct.Stdout));
    }

    private static async Task<string> Rules(LabFixture lab) => (await lab.ExecAsync("server", "ip", "rule")).Stdout;

    private static string PeerAddress(string echoBody)
    {
        using var json = JsonDocument.Parse(echoBody);
        var peer = json.RootElement.GetProperty("peer").GetString() ?? string.Empty;
        var address = System.Net.IPAddress.Parse(peer[..peer.LastIndexOf(':')].Trim('[', ']'));
        return (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString();
    }
}
