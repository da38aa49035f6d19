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

    /// <summary>
    /// Holds a connection from the outsider's port 40001 to the server's app (captured on 15006, so ztunnel's
    /// socket for it lives in the server pod), then narrows the server pod's ephemeral ports to 40001-40002: the
    /// kernel's first pick for a dial from the outsider's address is 40001, whose SYN would land on that held socket
    /// and silently kill the held connection. The dial takes 40002 instead; with no free port left, the pod's own
    /// address; and the held connection still works.
    /// </summary>
    [RootFact]
    public async Task CreateToApp_ClientPortHeldByItsOwnLiveConnection_DialTakesAnotherPort()
    {
        await using var lab = await LabFixture.StartAsync(MeshLabYaml.TwoNodes);
        await lab.StartMeshAsync();
        await lab.WaitForListenerAsync("server", 8080);
        await lab.WaitForCaptureAsync("server");
        var server = lab.Pod("server").Ip;
        var plain = lab.Pod("plain").Ip;
        var up = Path.Combine(lab.State.StateDir, "held-up");
        var go = Path.Combine(lab.State.StateDir, "held-go");
        var held = lab.ExecAsync("plain", "node", "-e", HeldConnection, server, up, go);
        await LabFixture.WaitUntilAsync(() => File.Exists(up) || held.IsCompleted, TimeSpan.FromSeconds(15), () => "the held connection did not open");
        Assert.False(held.IsCompleted, $"the held connection ended early: {(held.IsCompleted ? held.Result.Stdout + held.Result.Stderr : "")}");

        var narrowed = await lab.ExecAsync("server", "sysctl", "-w", "net.ipv4.ip_local_port_range=40001 40002");
        Assert.True(narrowed.Ok, narrowed.Stderr);
        var beside = await lab.CurlAsync("plain", $"http://{server}:8080/beside", "--local-port", "40003");
        var none = await lab.ExecAsync("server", "sysctl", "-w", "net.ipv4.ip_local_port_range=40001 40001");
        Assert.True(none.Ok, none.Stderr);
        var fallback = await lab.CurlAsync("plain", $"http://{server}:8080/fallback", "--local-port", "40004");
        await File.WriteAllTextAsync(go, "");
        var heldResult = await held;

        Assert.True(beside.Ok, beside.Stderr + lab.ZtunnelLogs());
        Assert.Equal($"{plain}:40002", Peer(beside.Stdout));
        Assert.True(fallback.Ok, fallback.Stderr + lab.ZtunnelLogs());
        Assert.Equal(server, PeerAddress(fallback.Stdout));
        Assert.True(heldResult.Stdout.Trim() == "HTTP/1.0 200 OK" || heldResult.Stdout.Trim() == "HTTP/1.1 200 OK",
            $"the held connection was hurt: '{heldResult.Stdout.Trim()}' {heldResult.Stderr}\n{lab.ZtunnelLogs()}");
    }

    /// <summary>node -e: a connection from local port 40001 to ARGV[1]:8080; touches ARGV[2] once open, sends a GET once ARGV[3] exists, prints the status line.</summary>
    private const string HeldConnection = """
        const net = require('net'); const fs = require('fs');
        const [ip, up, go] = process.argv.slice(1);
        let data = '';
        const s = net.connect({ host: ip, port: 8080, localPort: 40001 }, () => {
          fs.writeFileSync(up, '');
          const t = setInterval(() => { if (fs.existsSync(go)) { clearInterval(t); s.write('GET /held HTTP/1.0\r\n\r\n'); } }, 50);
        });
        s.setTimeout(30000, () => { console.log('timeout'); process.exit(0); });
        s.on('data', c => { data += c; });
        s.on('end', () => { console.log(data.split('\r\n')[0]); process.exit(0); });
        s.on('error', e => { console.log('error ' + e.code); process.exit(0); });
        """;

    private static async Task<string> Rules(LabFixture lab) => (await lab.ExecAsync("server", "ip", "rule")).Stdout;

    private static string Peer(string echoBody)
    {
        using var json = JsonDocument.Parse(echoBody);
        var peer = json.RootElement.GetProperty("peer").GetString() ?? string.Empty;
        var address = System.Net.IPAddress.Parse(peer[..peer.LastIndexOf(':')].Trim('[', ']'));
        return $"{(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address)}:{peer[(peer.LastIndexOf(':') + 1)..]}";
    }

    internal static string PeerAddress(string echoBody)
    {
        var peer = Peer(echoBody);
        return peer[..peer.LastIndexOf(':')];
    }
}
