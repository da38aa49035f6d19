using Mesh.Core.Metrics;
using Mesh.Tests.Common;
using Prometheus;

namespace Mesh.Tests.Unit.Metrics;

/// <summary>The exposition every component serves: prometheus-net's serializer over a private registry (core <see cref="MetricsRegistry"/>).</summary>
public sealed class MetricsRegistryTests
{
    private readonly MetricsRegistry _registry = new();

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public async Task Collect_Counter_HelpTypeAndOneLinePerSeries()
    {
        var c = _registry.Factory.CreateCounter("requests_total", "Requests served", "code");
        c.WithLabels("200").Inc(2);
        c.WithLabels("200").Inc(3);
        c.WithLabels("500").Inc();

        Assert.Equal(
            ["# HELP requests_total Requests served", "# TYPE requests_total counter",
             "requests_total{code=\"200\"} 5", "requests_total{code=\"500\"} 1"],
            Lines(await _registry.CollectTextAsync()));
    }

    [Fact]
    public async Task Collect_LabelValues_Escaped()
    {
        _registry.Factory.CreateCounter("esc_total", "e", "v").WithLabels("a\\b\"c\nd").Inc();

        Assert.Contains("esc_total{v=\"a\\\\b\\\"c\\nd\"} 1", Lines(await _registry.CollectTextAsync()));
    }

    [Fact]
    public async Task Collect_Histogram_CumulativeBucketsSumCount()
    {
        var h = _registry.Factory.CreateHistogram("latency", "d", ["path"], new HistogramConfiguration { Buckets = [1, 5, 10] });
        foreach (var v in new[] { 0.5, 1, 3, 7, 20 })
        {
            h.WithLabels("/").Observe(v);
        }

        var lines = Lines(await _registry.CollectTextAsync());

        // prometheus-net writes _sum and _count before the buckets (our former writer wrote them after): same samples.
        Assert.Equal(["# HELP latency d", "# TYPE latency histogram"], lines[..2]);
        Assert.Equal(
            ["latency_bucket{path=\"/\",le=\"1\"} 2", "latency_bucket{path=\"/\",le=\"5\"} 3",
             "latency_bucket{path=\"/\",le=\"10\"} 4", "latency_bucket{path=\"/\",le=\"+Inf\"} 5",
             "latency_sum{path=\"/\"} 31.5", "latency_count{path=\"/\"} 5"],
            lines[2..].OrderBy(l => l.Contains("_bucket", StringComparison.Ordinal) ? 0 : 1));
    }

    [Fact]
    public async Task Collect_NothingRegistered_EmptyWithoutPrometheusNetDefaults()
    {
        // A private registry: none of prometheus-net's process_*/dotnet_*/prometheus_net_* collectors of its default one.
        Assert.Equal(string.Empty, await _registry.CollectTextAsync());
    }

    [Fact]
    public async Task Collect_TwoRegistries_EachExportsOnlyItsOwn()
    {
        var other = new MetricsRegistry();
        other.Factory.CreateCounter("foreign_total", "f").Inc();
        _registry.Factory.CreateCounter("mine_total", "m").Inc();

        var text = await _registry.CollectTextAsync();

        Assert.DoesNotContain("foreign", text, StringComparison.Ordinal);
        Assert.Contains("mine_total 1", Lines(text));
    }

    [Fact]
    public async Task Collect_BeforeCollectCallback_RunsFirst()
    {
        var c = _registry.Factory.CreateCounter("flushed_total", "f");
        _registry.BeforeCollect(() => c.Inc(4));

        Assert.Contains("flushed_total 4", Lines(await _registry.CollectTextAsync()));
    }

    [Fact]
    public async Task Collect_EveryKind_PassesPromtool()
    {
        _registry.Factory.CreateCounter("events_total", "Events", "kind").WithLabels("a\"b").Inc(3);
        _registry.Factory.CreateCounter("never_total", "A labelled counter nothing was recorded in", "kind");
        _registry.Factory.CreateGauge("queue_depth", "Queue depth").Set(2);
        _registry.Factory.CreateHistogram("duration_seconds", "Duration", "op").WithLabels("x").Observe(0.3);

        var (exit, output) = await Promtool.CheckMetricsAsync(await _registry.CollectTextAsync());

        Assert.True(exit == 0, output);
    }

    [Fact]
    public async Task Promtool_ExpositionBreakingConventions_Rejected()
    {
        // Guards the promtool checks: the harness must see promtool's complaints.
        var (exit, output) = await Promtool.CheckMetricsAsync("# TYPE events counter\nevents 3\n");

        Assert.NotEqual(0, exit);
        Assert.Contains("_total", output, StringComparison.Ordinal);
    }
}
