using Mesh.Core.Metrics;

namespace Mesh.Tests.Unit.Core.Metrics;

public sealed class PrometheusTextReaderTests
{
    [Fact]
    public void Parse_ExpositionWithCommentsEscapesAndSpecialValues_ReadsEverySample()
    {
        var samples = PrometheusTextReader.Parse("""
            # HELP istio_requests_total Total requests
            # TYPE istio_requests_total counter
            istio_requests_total{reporter="waypoint",path="a\"b\\c\nd",response_code="200"} 42
            process_open_fds 12 1700000000000
            h_bucket{le="+Inf"} 7
            odd NaN
            neg -Inf

            """);

        Assert.Equal(5, samples.Count);
        var r = samples[0];
        Assert.Equal("istio_requests_total", r.Name);
        Assert.Equal("a\"b\\c\nd", r.Labels["path"]);
        Assert.Equal("200", r.Labels["response_code"]);
        Assert.Equal(42, r.Value);
        Assert.Equal(12, samples[1].Value);
        Assert.Equal("+Inf", samples[2].Labels["le"]);
        Assert.True(double.IsNaN(samples[3].Value));
        Assert.Equal(double.NegativeInfinity, samples[4].Value);
    }

    [Theory]
    [InlineData("istio_requests_total{reporter=\"waypoint\" 1", "line 2")]
    [InlineData("istio_requests_total{reporter=waypoint} 1", "label=\"value\"")]
    [InlineData("istio_requests_total lots", "'lots' is not a number")]
    [InlineData("{a=\"b\"} 1", "metric name")]
    [InlineData("<html>", "metric name")]
    public void Parse_MalformedLine_FormatExceptionNamingTheLine(string line, string expected)
    {
        var e = Assert.Throws<FormatException>(() => PrometheusTextReader.Parse("# ok\n" + line + "\n"));

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.StartsWith("line 2:", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Parse_WhatTheProxiesRender_RoundTrips()
    {
        // The proxies' exposition (prometheus-net's serializer through core MetricsRegistry) is what meshctl reads.
        var registry = new MetricsRegistry();
        var counter = registry.Factory.CreateCounter("istio_requests_total", "requests", "response_code", "destination_workload");
        var histogram = registry.Factory.CreateHistogram("istio_request_duration_milliseconds", "duration",
            new Prometheus.HistogramConfiguration { Buckets = [1, 10, 100] });
        counter.WithLabels("503", "x\"y").Inc(3);
        histogram.Observe(5);
        histogram.Observe(50);

        var samples = PrometheusTextReader.Parse(await registry.CollectTextAsync());

        var requests = Assert.Single(samples, s => s.Name == "istio_requests_total");
        Assert.Equal(3, requests.Value);
        Assert.Equal("x\"y", requests.Labels["destination_workload"]);
        Assert.Equal(
            [("1", 0.0), ("10", 1.0), ("100", 2.0), ("+Inf", 2.0)],
            samples.Where(s => s.Name == "istio_request_duration_milliseconds_bucket").Select(s => (s.Labels["le"], s.Value)));
    }
}
