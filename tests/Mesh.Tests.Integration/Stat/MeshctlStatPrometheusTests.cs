using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Mesh.Core.Metrics;
using Mesh.Tests.Common;

namespace Mesh.Tests.Integration.Stat;

/// <summary>
/// <c>meshctl stat --prometheus</c> against a real Prometheus server the test starts on loopback, scraping a real
/// metrics server (core TelemetryServer) that reports Istio's HTTP metrics as a waypoint does.
/// </summary>
public sealed class MeshctlStatPrometheusTests
{
    [Fact]
    public async Task Stat_PrometheusServer_SuccessRateAndQuantilesFromPromQl()
    {
        var registry = new MetricsRegistry();
        string[] names = ["reporter", "destination_workload", "destination_workload_namespace"];
        var requests = registry.Factory.CreateCounter("istio_requests_total", "requests", [.. names, "response_code"]);
        var duration = registry.Factory.CreateHistogram("istio_request_duration_milliseconds", "duration", names,
            new Prometheus.HistogramConfiguration { Buckets = [10, 50, 100] });
        await using var metrics = TelemetryServer.Start(new IPEndPoint(IPAddress.Loopback, 0), [TelemetryRoutes.Metrics(registry)]);
        Prometheus.Counter.Child Requests(string code) => requests.WithLabels("waypoint", "reviews-v1", "bookinfo", code);
        var observed = duration.WithLabels("waypoint", "reviews-v1", "bookinfo");
        Requests("200").Inc(0);
        Requests("503").Inc(0);
        // Series that exist before the traffic: rate() and increase() count from their first sample.
        observed.Observe(30);
        await using var prometheus = await PrometheusServer.StartAsync([metrics.LocalEndPoint]);
        await WaitAsync(prometheus, "count_over_time(istio_requests_total{response_code=\"503\"}[1m])", v => v >= 2);

        Requests("200").Inc(180);
        Requests("503").Inc(20);
        for (var i = 0; i < 200; i++)
        {
            observed.Observe(30);
        }
        await WaitAsync(prometheus, "istio_requests_total{response_code=\"503\"}", v => v == 20);

        var (code, stdout, stderr) = await RunAsync("stat", "--prometheus", prometheus.Url.ToString(), "--interval", "1m", "-o", "json");

        Assert.True(code == 0, stderr);
        var row = JsonNode.Parse(stdout)!["rows"]!.AsArray().Single(r => (string?)r!["name"] == "reviews-v1")!;
        Assert.Equal("bookinfo", (string?)row["namespace"]);
        // increase() extrapolates each series a little past the samples it has (not always by the same factor).
        Assert.InRange((double)row["successRate"]!, 0.89, 0.91);
        Assert.InRange((double)row["requests"]!, 200, 300);
        // Every observation is in the 10..50 ms bucket: histogram_quantile interpolates inside it.
        Assert.Equal(30, (double)row["p50Ms"]!, 6);
        Assert.Equal(49.6, (double)row["p99Ms"]!, 6);
    }

    private static async Task WaitAsync(PrometheusServer prometheus, string query, Func<double, bool> done)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!(await prometheus.QueryAsync(query)).Any(done))
        {
            Assert.True(DateTime.UtcNow < deadline, $"Prometheus never answered {query} as expected");
            await Task.Delay(200);
        }
    }

    private static async Task<(int Code, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        var psi = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "meshctl")) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        return (p.ExitCode, await stdout, await stderr);
    }
}
