using System.Diagnostics.Metrics;
using Mesh.Core.Metrics;
using Mesh.Tests.Common;

namespace Mesh.Tests.Unit.Metrics;

public sealed class PrometheusCollectorTests : IDisposable
{
    private readonly Meter _meter = new("test." + Guid.NewGuid().ToString("N"));
    private readonly PrometheusCollector _collector;

    public PrometheusCollectorTests() => _collector = new PrometheusCollector(m => ReferenceEquals(m, _meter));

    public void Dispose()
    {
        _collector.Dispose();
        _meter.Dispose();
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public void Collect_Counter_HelpTypeAndTotalSuffix()
    {
        var c = _meter.CreateCounter<long>("requests", description: "Requests served");
        c.Add(2, new KeyValuePair<string, object?>("code", 200));
        c.Add(3, new KeyValuePair<string, object?>("code", 200));
        c.Add(1, new KeyValuePair<string, object?>("code", 500));

        Assert.Equal(
            ["# HELP requests_total Requests served", "# TYPE requests_total counter",
             "requests_total{code=\"200\"} 5", "requests_total{code=\"500\"} 1"],
            Lines(_collector.Collect()));
    }

    [Fact]
    public void Collect_CounterAlreadyEndingInTotal_NotSuffixedTwice()
    {
        _meter.CreateCounter<long>("bytes_total").Add(7);

        Assert.Contains("bytes_total 7", Lines(_collector.Collect()));
    }

    [Fact]
    public void Collect_LabelsSortedByNameAndSanitized()
    {
        var c = _meter.CreateCounter<double>("x");
        c.Add(1.5, new("zeta", "z"), new("alpha.name", "a"), new("9th", "n"));

        Assert.Contains("x_total{_9th=\"n\",alpha_name=\"a\",zeta=\"z\"} 1.5", Lines(_collector.Collect()));
    }

    [Fact]
    public void Collect_LabelValues_Escaped()
    {
        _meter.CreateCounter<long>("esc").Add(1, new KeyValuePair<string, object?>("v", "a\\b\"c\nd"));

        Assert.Contains("esc_total{v=\"a\\\\b\\\"c\\nd\"} 1", Lines(_collector.Collect()));
    }

    [Fact]
    public void Collect_HelpText_Escaped()
    {
        _meter.CreateCounter<long>("h", description: "line1\nback\\slash").Add(1);

        Assert.Contains("# HELP h_total line1\\nback\\\\slash", Lines(_collector.Collect()));
    }

    [Fact]
    public void Collect_UpDownCounter_ExportedAsGauge()
    {
        var g = _meter.CreateUpDownCounter<int>("active");
        g.Add(5);
        g.Add(-2);

        var lines = Lines(_collector.Collect());
        Assert.Contains("# TYPE active gauge", lines);
        Assert.Contains("active 3", lines);
    }

    [Fact]
    public void Collect_ObservableGauge_ReadAtScrape()
    {
        var value = 1.0;
        _meter.CreateObservableGauge("temperature", () => value);

        Assert.Contains("temperature 1", Lines(_collector.Collect()));
        value = 2.5;
        Assert.Contains("temperature 2.5", Lines(_collector.Collect()));
    }

    [Fact]
    public void Collect_ObservableCounter_ReportsCumulativeValueAsIs()
    {
        long total = 10;
        _meter.CreateObservableCounter("ticks", () => total);

        Assert.Contains("ticks_total 10", Lines(_collector.Collect()));
        total = 12;
        Assert.Contains("ticks_total 12", Lines(_collector.Collect()));
    }

    [Fact]
    public void Collect_Histogram_CumulativeBucketsSumCount()
    {
        var h = _meter.CreateHistogram("latency", unit: "ms", description: "d",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [1, 5, 10] });
        foreach (var v in new[] { 0.5, 1, 3, 7, 20 })
        {
            h.Record(v, new KeyValuePair<string, object?>("path", "/"));
        }

        Assert.Equal(
            ["# HELP latency d", "# TYPE latency histogram",
             "latency_bucket{path=\"/\",le=\"1\"} 2", "latency_bucket{path=\"/\",le=\"5\"} 3",
             "latency_bucket{path=\"/\",le=\"10\"} 4", "latency_bucket{path=\"/\",le=\"+Inf\"} 5",
             "latency_sum{path=\"/\"} 31.5", "latency_count{path=\"/\"} 5"],
            Lines(_collector.Collect()));
    }

    [Fact]
    public void Collect_HistogramWithoutAdvice_UsesDefaultBuckets()
    {
        _meter.CreateHistogram<long>("size").Record(30);

        var buckets = Lines(_collector.Collect()).Where(l => l.StartsWith("size_bucket", StringComparison.Ordinal)).ToList();
        Assert.Equal(PrometheusCollector.DefaultBuckets.Count + 1, buckets.Count);
        Assert.Contains("size_bucket{le=\"25\"} 0", buckets);
        Assert.Contains("size_bucket{le=\"50\"} 1", buckets);
    }

    [Fact]
    public void Collect_InstrumentTags_BecomeLabels()
    {
        _meter.CreateCounter<long>("tagged", null, null, [new("component", "ztunnel")]).Add(1, new KeyValuePair<string, object?>("k", "v"));

        Assert.Contains("tagged_total{component=\"ztunnel\",k=\"v\"} 1", Lines(_collector.Collect()));
    }

    [Fact]
    public void Collect_OtherMeters_NotExported()
    {
        using var other = new Meter("other." + Guid.NewGuid().ToString("N"));
        other.CreateCounter<long>("foreign").Add(1);
        _meter.CreateCounter<long>("mine").Add(1);

        var text = _collector.Collect();
        Assert.DoesNotContain("foreign", text, StringComparison.Ordinal);
        Assert.Contains("mine_total 1", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Collect_SameNameDifferentKind_SecondIgnored()
    {
        _meter.CreateCounter<long>("dup_total").Add(1);
        _meter.CreateObservableGauge("dup_total", () => 42);

        var lines = Lines(_collector.Collect());
        Assert.Contains("dup_total 1", lines);
        Assert.DoesNotContain("dup_total 42", lines);
    }

    [Fact]
    public void Collect_BeforeCollectCallback_RunsFirst()
    {
        var c = _meter.CreateCounter<long>("flushed");
        _collector.BeforeCollect(() => c.Add(4));

        Assert.Contains("flushed_total 4", Lines(_collector.Collect()));
    }

    [Fact]
    public void Collect_NothingRecorded_Empty()
    {
        _meter.CreateCounter<long>("idle");

        Assert.Equal(string.Empty, _collector.Collect());
    }

    [Fact]
    public async Task Collect_EveryKind_PassesPromtool()
    {
        _meter.CreateCounter<long>("events", description: "Events").Add(3, new KeyValuePair<string, object?>("kind", "a\"b"));
        _meter.CreateUpDownCounter<long>("queue_depth", description: "Queue depth").Add(2);
        _meter.CreateObservableGauge("ratio", () => 0.25, description: "Ratio");
        _meter.CreateHistogram<double>("duration_seconds", description: "Duration").Record(0.3, new KeyValuePair<string, object?>("op", "x"));

        var (exit, output) = await Promtool.CheckMetricsAsync(_collector.Collect());

        Assert.True(exit == 0, output);
    }

    [Fact]
    public async Task Promtool_ExpositionBreakingConventions_Rejected()
    {
        // Guards the promtool checks above: the harness must see promtool's complaints.
        var (exit, output) = await Promtool.CheckMetricsAsync("# TYPE events counter\nevents 3\n");

        Assert.NotEqual(0, exit);
        Assert.Contains("_total", output, StringComparison.Ordinal);
    }
}
