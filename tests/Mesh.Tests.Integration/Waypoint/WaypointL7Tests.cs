using Mesh.Tests.Common;
using Mesh.Tests.Common.Lab;

namespace Mesh.Tests.Integration.Waypoint;

/// <summary>
/// The waypoint end to end on a 2-node lab: a client in an enrolled namespace curls the VIP of a service that uses
/// the waypoint; its ztunnel sends HBONE to the waypoint, which routes per the HTTPRoute and opens HBONE to the
/// chosen endpoint, whose ztunnel delivers it to the app.
/// </summary>
public sealed class WaypointL7Tests
{
    [RootFact]
    public async Task Curl_ServiceWithWeightedRoute_SplitsAboutEightyTwenty()
    {
        await using var lab = await StartAsync(WaypointLabYaml.SplitRules);
        var vip = Vip(lab, "echo");
        const int n = 200;

        var codes = await CurlManyAsync(lab, $"http://{vip}/split", n);

        Assert.True(codes.Count == n, $"got {codes.Count} answers\n{Logs(lab)}");
        Assert.All(codes, c => Assert.StartsWith("200 ", c, StringComparison.Ordinal));
        var v1 = codes.Count(c => c == "200 echo-v1");
        var v2 = codes.Count(c => c == "200 echo-v2");
        Assert.Equal(n, v1 + v2);
        // Binomial(200, 0.8): mean 160, sd 5.7; +-5 sd is a generous bound that still refuses 50/50 or 100/0.
        Assert.InRange(v1, 132, 188);

        // The waypoint counted them, per backend service, as Istio's metric with the client's identity.
        var metrics = await ScrapeAsync(lab);
        Assert.Equal(v1, Sum(metrics, "istio_requests_total", "destination_service=\"echo-v1.app.svc.cluster.local\"", "response_code=\"200\"",
            "source_principal=\"spiffe://cluster.local/ns/app/sa/client\"", "reporter=\"waypoint\""));
        Assert.Equal(v2, Sum(metrics, "istio_requests_total", "destination_service=\"echo-v2.app.svc.cluster.local\"", "response_code=\"200\""));
        // promtool parses it; its only complaint is the unit lint on Istio's own metric name, kept for dashboards.
        var check = await Promtool.CheckMetricsAsync(metrics);
        Assert.All(check.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries),
            l => Assert.Contains("istio_request_duration_milliseconds use base unit", l, StringComparison.Ordinal));
    }

    [RootFact]
    public async Task Curl_RouteWithRetries_BackendFailingHalf_MostlySucceedsAndRetriesCounted()
    {
        await using var lab = await StartAsync(WaypointLabYaml.RetryRules);
        const int n = 100;

        var codes = await CurlManyAsync(lab, $"http://{Vip(lab, "echo")}/flaky?fail_rate=0.5", n);

        Assert.True(codes.Count == n, $"got {codes.Count} answers\n{Logs(lab)}");
        var ok = codes.Count(c => c.StartsWith("200 ", StringComparison.Ordinal));
        // Each request fails only if 4 attempts in a row do (1/16): about 94 of 100 succeed; without retries, about 50.
        Assert.True(ok >= 80, $"{ok}/{n} succeeded: {string.Join(", ", codes.GroupBy(c => c).Select(g => $"{g.Key} x{g.Count()}"))}");
        Assert.All(codes, c => Assert.Matches("^(200|503) ", c));
        var metrics = await ScrapeAsync(lab);
        var retried = Sum(metrics, "mesh_waypoint_upstream_retries_total", "destination_service=\"echo-v1.app.svc.cluster.local\"", "reason=\"503\"");
        // About one retry per request on average (a geometric number of failures, capped at 3).
        Assert.InRange(retried, 30, 3 * n);
        Assert.Equal(ok, Sum(metrics, "istio_requests_total", "destination_service=\"echo-v1.app.svc.cluster.local\"", "response_code=\"200\""));
    }

    [RootFact]
    public async Task Curl_RouteWithTimeout_SlowBackend_GatewayTimeout()
    {
        await using var lab = await StartAsync(WaypointLabYaml.TimeoutRules);

        // The backend would answer after 20 s; the route's request timeout is 1 s.
        var r = await lab.ExecAsync("client", "curl", "-sS", "-m", "15", "-o", "/dev/null", "-w", "%{http_code} %{time_total}",
            $"http://{Vip(lab, "echo")}/slow?latency_ms=20000");

        Assert.True(r.Ok, $"{r.Stderr}\n{Logs(lab)}");
        var parts = r.Stdout.Split(' ');
        Assert.Equal("504", parts[0]);
        Assert.True(double.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture) < 10, $"took {parts[1]} s");
        var metrics = await ScrapeAsync(lab);
        Assert.Equal(1, Sum(metrics, "istio_requests_total", "response_code=\"504\"", "response_flags=\"UT\""));
        await lab.WaitForLogAsync("waypoint", "upstream: GET /slow to app/echo-v1 failed");
    }

    [RootFact]
    public async Task Curl_Http2PriorKnowledge_ReachesBackendAsHttp2()
    {
        await using var lab = await StartAsync(WaypointLabYaml.SplitRules);

        var r = await lab.CurlAsync("client", $"http://{Vip(lab, "echo")}/h2c", "--http2-prior-knowledge", "-w", "\n%{http_version}");

        Assert.True(r.Ok, $"{r.Stderr}\n{Logs(lab)}");
        Assert.Contains("\"protocol\":\"HTTP/2\"", r.Stdout, StringComparison.Ordinal);
        Assert.EndsWith("\n2", r.Stdout, StringComparison.Ordinal);
    }

    [RootFact]
    public async Task Curl_ServiceWithL7AllowGetPolicy_PostForbiddenAtTheWaypoint()
    {
        await using var lab = await StartAsync(WaypointLabYaml.SplitRules + WaypointLabYaml.AllowGetOnlyPolicy);
        var url = $"http://{Vip(lab, "echo")}/items";

        var get = await lab.CurlAsync("client", url, "-o", "/dev/null", "-w", "%{http_code}");
        var post = await lab.CurlAsync("client", url, "--data", "x", "-w", " %{http_code}");

        // ztunnel leaves the targetRefs policy to the waypoint (at L4 its L7 rule could never match and would deny all).
        Assert.Equal("200", get.Stdout);
        Assert.Equal("RBAC: access denied\n 403", post.Stdout);
        await lab.WaitForLogAsync("waypoint", "authz: POST /items");
        Assert.Contains("app/get-only", lab.Log("waypoint"), StringComparison.Ordinal);
    }

    [RootFact]
    public async Task Curl_ThroughWaypoint_BothHopsMutualTlsOnTheWire()
    {
        await using var lab = await StartAsync(WaypointLabYaml.SplitRules);
        var marker = "MESH-MARKER-" + Guid.NewGuid().ToString("N");
        var waypoint = lab.Plan.Pods.Single(p => p.Name == "waypoint");

        // Everything the waypoint pod sends and receives crosses its eth0 (the ptp veth's pod end).
        var pcap = Path.Combine(lab.State.StateDir, "waypoint-link.pcap");
        using var dump = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("ip",
            ["netns", "exec", waypoint.Netns, "tcpdump", "-U", "-s", "0", "-i", "eth0", "-w", pcap])
        { RedirectStandardError = true })!;
        await LabFixture.WaitUntilAsync(() => Task.FromResult(File.Exists(pcap)), TimeSpan.FromSeconds(10), "tcpdump did not start");
        await Task.Delay(500);
        var codes = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var r = await lab.CurlAsync("client", $"http://{Vip(lab, "echo")}/{marker}", "--data", marker, "-o", "/dev/null", "-w", "%{http_code}");
            codes.Add(r.Stdout);
        }
        await Task.Delay(500);
        dump.Kill();
        await dump.WaitForExitAsync();

        Assert.All(codes, c => Assert.Equal("200", c));
        var bytes = await File.ReadAllBytesAsync(pcap);
        Assert.True(bytes.Length > 1000, "the capture is empty");
        Assert.Equal(-1, bytes.AsSpan().IndexOf(System.Text.Encoding.ASCII.GetBytes(marker)));
        var hellos = await Mesh.Lab.Runtime.Shell.RunAsync("tshark", ["-r", pcap, "-Y", "tls.handshake.type == 1 && tcp.dstport == 15008",
            "-T", "fields", "-e", "ip.src", "-e", "ip.dst"], null, TimeSpan.FromSeconds(60));
        var pairs = hellos.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim()).ToHashSet();
        // In: the client's ztunnel (from the client pod's address) to the waypoint; out: the waypoint to the endpoints.
        Assert.Contains($"{lab.Pod("client").Ip}\t{waypoint.Ip}", pairs);
        Assert.Contains(pairs, p => p == $"{waypoint.Ip}\t{lab.Pod("echo-v1").Ip}" || p == $"{waypoint.Ip}\t{lab.Pod("echo-v2").Ip}");
        var plainHttp = await Mesh.Lab.Runtime.Shell.RunAsync("tshark", ["-r", pcap, "-Y", "http", "-T", "fields", "-e", "frame.number"], null, TimeSpan.FromSeconds(60));
        Assert.Equal("", plainHttp.Stdout.Trim());
        Assert.Contains("tunnel from spiffe://cluster.local/ns/app/sa/waypoint", lab.ZtunnelLogs(), StringComparison.Ordinal);
    }

    /// <param name="slowV2Ms">How much later echo-v2 answers every request (0: as fast as echo-v1).</param>
    /// <param name="echoAnnotations">The echo Service's annotations (<see cref="WaypointLabYaml.WithSlowV2"/>).</param>
    internal static Task<LabFixture> StartAsync(string rules, int slowV2Ms = 0, string echoAnnotations = "") =>
        StartYamlAsync(WaypointLabYaml.WithSlowV2(rules, slowV2Ms, echoAnnotations));

    /// <summary>The waypoint lab from <paramref name="yaml"/> (a <see cref="WaypointLabYaml"/> variant), the mesh up and every pod ready.</summary>
    internal static async Task<LabFixture> StartYamlAsync(string yaml)
    {
        var lab = await LabFixture.StartAsync(yaml);
        try
        {
            await lab.StartMeshAsync();
            await lab.WaitForListenerAsync("echo-v1", 8080);
            await lab.WaitForListenerAsync("echo-v2", 8080);
            await lab.WaitForCaptureAsync("client");
            await lab.WaitForCaptureAsync("echo-v1");
            await lab.WaitForCaptureAsync("echo-v2");
            await LabFixture.WaitUntilAsync(async () =>
                (await lab.ExecAsync("waypoint", "curl", "-sf", "-m", "1", "-o", "/dev/null", "http://127.0.0.1:15021/healthz/ready")).Ok,
                TimeSpan.FromSeconds(60), $"the waypoint is not ready\n{lab.Log("waypoint")}");
            return lab;
        }
        catch
        {
            await lab.DisposeAsync();
            throw;
        }
    }

    internal static string Vip(LabFixture lab, string service) => lab.State.Services.Single(s => s.Name == service).ClusterIp!;

    /// <summary>One curl process, <paramref name="n"/> sequential requests on one keep-alive connection: "status pod" per request.</summary>
    internal static async Task<List<string>> CurlManyAsync(LabFixture lab, string url, int n)
    {
        List<string> argv = ["curl", "-sS", "-m", "60", "-w", "%{http_code} %header{x-echo-pod}\\n"];
        for (var i = 0; i < n; i++)
        {
            argv.AddRange(["-o", "/dev/null", url]);
        }
        var r = await lab.ExecAsync("client", [.. argv]);
        return [.. r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim())];
    }

    /// <summary>The waypoint's Prometheus text from its 15020.</summary>
    internal static async Task<string> ScrapeAsync(LabFixture lab)
    {
        var r = await lab.ExecAsync("waypoint", "curl", "-sf", "http://127.0.0.1:15020/metrics");
        Assert.True(r.Ok, r.Stderr);
        return r.Stdout;
    }

    /// <summary>The sum of the samples of <paramref name="name"/> whose labels contain every one of <paramref name="labels"/>.</summary>
    internal static double Sum(string metrics, string name, params string[] labels) =>
        metrics.Split('\n').Where(l => l.StartsWith(name + "{", StringComparison.Ordinal) && labels.All(x => l.Contains(x, StringComparison.Ordinal)))
            .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>The echo pod's own counters (<c>/_echo/stats</c>, read inside its namespace on loopback): requests served, and how many it answered 503 by fail_rate.</summary>
    internal static async Task<(int Served, int Failed)> EchoStatsAsync(LabFixture lab, string pod)
    {
        var r = await lab.ExecAsync(pod, "curl", "-sf", "-m", "5", "http://127.0.0.1:8080/_echo/stats");
        Assert.True(r.Ok, $"{r.Stderr}\n{lab.Log(pod)}");
        using var json = System.Text.Json.JsonDocument.Parse(r.Stdout);
        return (json.RootElement.GetProperty("requests").GetInt32(), json.RootElement.GetProperty("failed").GetInt32());
    }

    /// <summary>Changes the echo pod's defaults at runtime (<c>/_echo/config?latency_ms=&amp;fail_rate=</c>), on its loopback.</summary>
    internal static async Task EchoConfigAsync(LabFixture lab, string pod, string query)
    {
        var r = await lab.ExecAsync(pod, "curl", "-sf", "-m", "5", $"http://127.0.0.1:8080/_echo/config?{query}");
        Assert.True(r.Ok, $"{r.Stderr}\n{lab.Log(pod)}");
    }

    internal static string Logs(LabFixture lab) =>
        $"waypoint log:\n{lab.Log("waypoint")}\nztunnel logs:\n{lab.ZtunnelLogs()}";
}
