using System.Diagnostics;
using System.Diagnostics.Metrics;
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
        using var meter = new Meter("Mesh.Tests.PromStat." + Guid.NewGuid().ToString("N"));
        var requests = meter.CreateCounter<long>("istio_requests");
        var duration = meter.CreateHistogram("istio_request_duration_milliseconds", "ms", null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [10, 50, 100] });
        using var collector = new PrometheusCollector(meter.Name);
        await using var metrics = TelemetryServer.Start(new IPEndPoint(IPAddress.Loopback, 0), [TelemetryRoutes.Metrics(collector)]);
        KeyValuePair<string, object?>[] Labels(string? code) =>
        [
            new("reporter", "waypoint"), new("destination_workload", "reviews-v1"), new("destination_workload_namespace", "bookinfo"),
            .. code is null ? Array.Empty<KeyValuePair<string, object?>>() : [new("response_code", code)],
        ];
        requests.Add(0, Labels("200"));
        requests.Add(0, Labels("503"));
        // Series that exist before the traffic: rate() and increase() count from their first sample.
        duration.Record(30, Labels(null));
        await using var prometheus = await PrometheusServer.StartAsync([metrics.LocalEndPoint]);
        await WaitAsync(prometheus, "count_over_time(istio_requests_total{response_code=\"503\"}[1m])", v => v >= 2);

        requests.Add(180, Labels("200"));
        requests.Add(20, Labels("503"));
        for (var i = 0; i < 200; i++)
        {
            duration.Record(30, Labels(null));
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
