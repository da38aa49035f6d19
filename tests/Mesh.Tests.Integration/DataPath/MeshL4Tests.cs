using System.Diagnostics;
using System.Text;
using Mesh.Lab.Launch;
using Mesh.Tests.Common;
using Mesh.Tests.Common.Lab;

namespace Mesh.Tests.Integration.DataPath;

/// <summary>The L4 data path end to end on a 2-node lab: eBPF capture, HBONE mTLS between nodes, identities, policy, metrics.</summary>
public sealed class MeshL4Tests
{
    [RootFact]
    public async Task Curl_EnrolledPodToServiceOnOtherNode_EncryptedOnTheWireWithIdentities()
    {
        await using var lab = await LabFixture.StartAsync(MeshLabYaml.TwoNodes);
        await lab.StartMeshAsync();
        await lab.WaitForListenerAsync("server", 8080);
        await lab.WaitForCaptureAsync("client");
        await lab.WaitForCaptureAsync("server");
        var vip = lab.State.Services.Single(s => s.Name == "server").ClusterIp;
        var marker = "MESH-MARKER-" + Guid.NewGuid().ToString("N");

        // Capture the link between node1 and the bridge while the request crosses it.
        var pcap = Path.Combine(lab.State.StateDir, "node1-link.pcap");
        using var dump = Process.Start(new ProcessStartInfo("ip",
            ["netns", "exec", lab.State.Fabric.Netns, "tcpdump", "-U", "-s", "0", "-i", $"{lab.Name}-n1", "-w", pcap])
        { RedirectStandardError = true })!;
        await LabFixture.WaitUntilAsync(() => Task.FromResult(File.Exists(pcap)), TimeSpan.FromSeconds(10), "tcpdump did not start");
        await Task.Delay(500);
        var curl = await lab.CurlAsync("client", $"http://{vip}:80/echo", "--data", marker, "-w", "\nHTTP %{http_code}");
        await Task.Delay(500);
        dump.Kill();
        await dump.WaitForExitAsync();

        Assert.True(curl.Ok, $"curl failed: {curl.Stderr}\n{lab.ZtunnelLogs()}");
        Assert.Contains("HTTP 200", curl.Stdout, StringComparison.Ordinal);
        var bytes = await File.ReadAllBytesAsync(pcap);
        Assert.True(bytes.Length > 1000, "the capture is empty");
        Assert.Equal(-1, bytes.AsSpan().IndexOf(Encoding.ASCII.GetBytes(marker)));
        var tls = await Mesh.Lab.Runtime.Shell.RunAsync("tshark", ["-r", pcap, "-Y", "tls.handshake.type == 1 && tcp.dstport == 15008", "-T", "fields", "-e", "ip.dst"], null, TimeSpan.FromSeconds(60));
        Assert.Contains(lab.Pod("server").Ip, tls.Stdout, StringComparison.Ordinal);

        var node1 = lab.ProcessLog(LabMesh.ZtunnelLog("node1"));
        var node2 = lab.ProcessLog(LabMesh.ZtunnelLog("node2"));
        Assert.Contains("via hbone", node1, StringComparison.Ordinal);
        Assert.Contains("as spiffe://cluster.local/ns/app/sa/client to spiffe://cluster.local/ns/app/sa/server", node1, StringComparison.Ordinal);
        Assert.Contains("tunnel from spiffe://cluster.local/ns/app/sa/client", node2, StringComparison.Ordinal);
    }

    [RootFact]
    public async Task Metrics_AfterTraffic_PromtoolValidAndCountsConnections()
    {
        await using var lab = await LabFixture.StartAsync(MeshLabYaml.TwoNodes);
        await lab.StartMeshAsync();
        await lab.WaitForListenerAsync("server", 8080);
        await lab.WaitForCaptureAsync("client");
        var server = lab.Pod("server").Ip;
        const int requests = 3;
        for (var i = 0; i < requests; i++)
        {
            var r = await lab.CurlAsync("client", $"http://{server}:8080/?size=1000", "-o", "/dev/null", "-w", "%{http_code}");
            Assert.Equal("200", r.Stdout);
        }
        // A port the service does not declare: the plan refuses it, node1's ztunnel resets it and reports it once.
        var vip = lab.State.Services.Single(s => s.Name == "server").ClusterIp;
        var undeclared = await lab.CurlAsync("client", $"http://{vip}:81/");
        Assert.False(undeclared.Ok, $"a port the service does not declare was carried: {undeclared.Stdout}");
        var node1 = lab.State.Nodes.Single(n => n.Name == "node1");
        var metrics = await lab.Lab.ExecInNodeAsync("node1", ["curl", "-sf", $"http://{node1.Ip}:15020/metrics"]);
        Assert.True(metrics.Ok, metrics.Stderr);
        Assert.Equal(1, Refused(metrics.Stdout, "service_port_not_found"));
        await LabFixture.WaitUntilAsync(() => Task.FromResult(lab.ProcessLog(LabMesh.ZtunnelLog("node1")).Contains($"service_port_not_found outbound to {vip}:81", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(10), "ztunnel never logged the refusal");

        var check = await Promtool.CheckMetricsAsync(metrics.Stdout);
        Assert.True(check.ExitCode == 0, check.Output);
        var opened = metrics.Stdout.Split('\n').Where(l => l.StartsWith("istio_tcp_connections_opened_total{", StringComparison.Ordinal)
            && l.Contains("reporter=\"source\"", StringComparison.Ordinal) && l.Contains("source_workload=\"client\"", StringComparison.Ordinal)
            && l.Contains("destination_workload=\"server\"", StringComparison.Ordinal) && l.Contains("connection_security_policy=\"mutual_tls\"", StringComparison.Ordinal))
            .ToList();
        var line = Assert.Single(opened);
        Assert.EndsWith($" {requests}", line, StringComparison.Ordinal);
    }

    [RootFact]
    public async Task Plaintext_FromNonMeshPodToStrictPod_Refused()
    {
        await using var lab = await LabFixture.StartAsync(MeshLabYaml.TwoNodes.Replace(
            "{name: server, namespace: app, labels: {app: server}}",
            "{name: server, namespace: app, labels: {app: server, mesh.dev/mtls-mode: strict}}", StringComparison.Ordinal));
        await lab.StartMeshAsync();
        await lab.WaitForListenerAsync("server", 8080);
        await lab.WaitForCaptureAsync("server");
        var server = lab.Pod("server").Ip;

        var plain = await lab.CurlAsync("plain", $"http://{server}:8080/");
        var mesh = await lab.CurlAsync("client", $"http://{server}:8080/", "-o", "/dev/null", "-w", "%{http_code}");

        Assert.False(plain.Ok, "plaintext reached a STRICT pod");
        Assert.Equal("200", mesh.Stdout);
        Assert.Equal(1, Refused(await MetricsAsync(lab, "node2"), "policy_denied"));
        await LabFixture.WaitUntilAsync(() => Task.FromResult(lab.ProcessLog(LabMesh.ZtunnelLog("node2")).Contains("policy_denied plaintext to ", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(10), "ztunnel never logged the refusal");
        var refusal = lab.ProcessLog(LabMesh.ZtunnelLog("node2")).Split('\n').Single(l => l.Contains("policy_denied plaintext to ", StringComparison.Ordinal));
        Assert.Contains($"{server}:8080: deny", refusal, StringComparison.Ordinal);
    }

    [RootFact]
    public async Task DenyPolicy_NamedPrincipal_BlockedWhileOthersFlow()
    {
        await using var lab = await LabFixture.StartAsync(MeshLabYaml.DenyFirstClient);
        await lab.StartMeshAsync();
        await lab.WaitForListenerAsync("server", 8080);
        await lab.WaitForCaptureAsync("client");
        await lab.WaitForCaptureAsync("other");
        var server = lab.Pod("server").Ip;

        var denied = await lab.CurlAsync("client", $"http://{server}:8080/");
        var allowed = await lab.CurlAsync("other", $"http://{server}:8080/", "-o", "/dev/null", "-w", "%{http_code}");

        Assert.False(denied.Ok, $"the denied client got through: {denied.Stdout}");
        Assert.Equal("200", allowed.Stdout);
        // ztunnel's console logger writes from its own thread: the line can land after the refusal the client saw.
        await LabFixture.WaitUntilAsync(() => Task.FromResult(lab.ZtunnelLogs().Contains("policy_denied CONNECT ", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(10), "ztunnel never logged the refusal");
        var refusal = lab.ProcessLog(LabMesh.ZtunnelLog("node2")).Split('\n').Single(l => l.Contains("policy_denied CONNECT ", StringComparison.Ordinal));
        Assert.Contains("from spiffe://cluster.local/ns/app/sa/client: 403", refusal, StringComparison.Ordinal);
        Assert.Contains("app/deny-client", refusal, StringComparison.Ordinal);
        Assert.Equal(1, Refused(await MetricsAsync(lab, "node2"), "policy_denied"));
        Assert.Equal(1, Refused(await MetricsAsync(lab, "node1"), "tunnel_refused")); // the client's side: CONNECT answered 403
        Assert.Contains("tunnel_refused outbound to ", lab.ProcessLog(LabMesh.ZtunnelLog("node1")), StringComparison.Ordinal);
    }

    [RootFact]
    public async Task NamespaceLabel_ToggledOnRunningPod_CaptureFollowsWithoutRestart()
    {
        await using var lab = await LabFixture.StartAsync(MeshLabYaml.TwoNodes);
        await lab.StartMeshAsync();
        await lab.WaitForListenerAsync("server", 8080);
        await lab.WaitForCaptureAsync("client");
        var clientPid = lab.Pod("client").Pid;
        var server = lab.Pod("server").Ip;

        lab.Lab.SetNamespaceLabel("app", "mesh.dev/dataplane-mode", null);
        await lab.WaitForCaptureAsync("client", captured: false);
        // Unenrolled: the pod's listeners are closed too (the programs are detached first).
        await LabFixture.WaitUntilAsync(async () => !(await lab.ExecAsync("client", "ss", "-Hltn", "sport = :15001")).Stdout.Contains("LISTEN", StringComparison.Ordinal),
            TimeSpan.FromSeconds(10), "ztunnel's listeners in the unenrolled pod stayed open");
        var direct = await lab.CurlAsync("client", $"http://{server}:8080/", "-o", "/dev/null", "-w", "%{http_code}");
        var hboneBefore = CountHbone(lab);

        lab.Lab.SetNamespaceLabel("app", "mesh.dev/dataplane-mode", "ambient");
        await lab.WaitForCaptureAsync("client");
        var meshed = await lab.CurlAsync("client", $"http://{server}:8080/", "-o", "/dev/null", "-w", "%{http_code}");

        Assert.Equal("200", direct.Stdout);
        Assert.Equal("200", meshed.Stdout);
        Assert.Equal(hboneBefore + 1, CountHbone(lab));
        Assert.Equal(clientPid, lab.Pod("client").Pid);
    }

    private static int CountHbone(LabFixture lab) =>
        lab.ProcessLog(LabMesh.ZtunnelLog("node1")).Split('\n').Count(l => l.Contains($"outbound {lab.Pod("client").KubeUid}:", StringComparison.Ordinal) && l.Contains("via hbone", StringComparison.Ordinal));

    [RootFact]
    public async Task Tunnel_OneGibibyte_ArrivesWithSameSha256_And500ConcurrentTunnelsComplete()
    {
        await using var lab = await LabFixture.StartAsync(MeshLabYaml.TwoNodes);
        await lab.StartMeshAsync();
        await lab.WaitForListenerAsync("server", 8080);
        await lab.WaitForCaptureAsync("client");
        var server = lab.Pod("server").Ip;

        // 1 GiB of random bytes through one tunnel; the echo server hashes what it received.
        var bulk = await lab.ExecAsync("client", "bash", "-c",
            $"head -c 1073741824 /dev/urandom | tee >(sha256sum | cut -d' ' -f1 > /tmp/mesh-{lab.Name}.sha) | " +
            $"curl -sS -m 240 -T - http://{server}:8080/bulk; sleep 0.5; echo; cat /tmp/mesh-{lab.Name}.sha; rm -f /tmp/mesh-{lab.Name}.sha");
        Assert.True(bulk.Ok, bulk.Stderr);
        var lines = bulk.Stdout.Trim().Split('\n');
        var sent = lines[^1].Trim();
        Assert.Equal(64, sent.Length);
        Assert.True(lines[0].Contains("\"bodyBytes\":1073741824", StringComparison.Ordinal), $"{bulk.Stdout}\n{bulk.Stderr}\n{lab.ZtunnelLogs()[^Math.Min(4000, lab.ZtunnelLogs().Length)..]}");
        Assert.Contains($"\"bodySha256\":\"{sent}\"", lines[0], StringComparison.Ordinal);

        // 500 tunnels at once: curl opens one connection per URL with --parallel.
        var urls = string.Join(' ', Enumerable.Range(0, 500).Select(i => $"http://{server}:8080/c{i}"));
        var many = await lab.ExecAsync("client", "sh", "-c",
            $"curl -sS -m 120 --parallel --parallel-max 500 --parallel-immediate -o /dev/null -w '%{{http_code}}\\n' {urls} | grep -c '^200$'");
        Assert.Equal("500", many.Stdout.Trim());
    }

    [RootFact]
    public async Task CertificateRotation_DuringLongTransfer_TransferIntact()
    {
        await using var lab = await LabFixture.StartAsync(MeshLabYaml.TwoNodes);
        // The shortest lifetime the control plane accepts (10 s, renewed at about half of it): the client's certificate
        // is renewed at least once during the ~8 s transfer.
        await lab.StartMeshAsync(certTtl: TimeSpan.FromSeconds(10));
        await lab.WaitForListenerAsync("server", 8080);
        await lab.WaitForCaptureAsync("client");
        var server = lab.Pod("server").Ip;
        int Issued() => lab.ProcessLog(LabMesh.ZtunnelLog("node1")).Split('\n')
            .Count(l => l.Contains("certificate for spiffe://cluster.local/ns/app/sa/client issued", StringComparison.Ordinal));
        await LabFixture.WaitUntilAsync(() => Task.FromResult(Issued() > 0), TimeSpan.FromSeconds(30), "no certificate issued");
        var before = Issued();

        // 48 MiB at 6 MiB/s: about 8 s through one tunnel while the client's certificate rotates.
        var transfer = await lab.ExecAsync("client", "bash", "-c",
            $"head -c 50331648 /dev/urandom | tee >(sha256sum | cut -d' ' -f1 > /tmp/mesh-rot-{lab.Name}.sha) | " +
            $"curl -sS -m 120 --limit-rate 6M -T - http://{server}:8080/rotate; sleep 0.5; echo; cat /tmp/mesh-rot-{lab.Name}.sha; rm -f /tmp/mesh-rot-{lab.Name}.sha");
        var after = Issued();

        Assert.True(transfer.Ok, transfer.Stderr);
        var lines = transfer.Stdout.Trim().Split('\n');
        Assert.Contains("\"bodyBytes\":50331648", lines[0], StringComparison.Ordinal);
        Assert.Contains($"\"bodySha256\":\"{lines[^1].Trim()}\"", lines[0], StringComparison.Ordinal);
        Assert.True(after > before, $"no rotation happened during the transfer ({before} -> {after} certificates)");
    }

    private static async Task<string> MetricsAsync(LabFixture lab, string node)
    {
        var ip = lab.State.Nodes.Single(n => n.Name == node).Ip;
        var r = await lab.Lab.ExecInNodeAsync(node, ["curl", "-sf", "-m", "10", $"http://{ip}:15020/metrics"]);
        Assert.True(r.Ok, $"metrics scrape of {node} failed: {r.Stderr}");
        return r.Stdout;
    }

    /// <summary>The count of <c>mesh_ztunnel_refused_connections_total</c> for <paramref name="reason"/> (0 when absent).</summary>
    private static long Refused(string exposition, string reason) =>
        exposition.Split('\n').Where(l => l.StartsWith($"mesh_ztunnel_refused_connections_total{{reason=\"{reason}\"}} ", StringComparison.Ordinal))
            .Sum(l => long.Parse(l[(l.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
}
