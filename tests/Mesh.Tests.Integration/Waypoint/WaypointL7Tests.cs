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

    internal static async Task<LabFixture> StartAsync(string rules)
    {
        var lab = await LabFixture.StartAsync(WaypointLabYaml.With(rules));
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

    internal static string Logs(LabFixture lab) =>
        $"waypoint log:\n{lab.Log("waypoint")}\nztunnel logs:\n{lab.ZtunnelLogs()}";
}
