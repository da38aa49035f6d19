using Mesh.Core.Metrics;

namespace Mesh.Tests.Unit.Metrics;

public sealed class SeriesCacheTests
{
    private readonly MetricsRegistry _registry = new();

    [Fact]
    public void Get_EqualValuesInAnotherArray_SameSeriesResolvedOnce()
    {
        var resolved = 0;
        var counter = _registry.Factory.CreateCounter("c_total", "c", "a", "b");
        var cache = new SeriesCache<Prometheus.Counter.Child>(v =>
        {
            resolved++;
            return counter.WithLabels(v);
        });

        var first = cache.Get(["x", "y"]);
        var second = cache.Get(["x", "y"]);

        Assert.Same(first, second);
        Assert.Equal(1, resolved);
    }

    [Fact]
    public async Task Get_LabelSetsDifferingOnlyInPairsOfEqualValues_SeparateSeries()
    {
        // As Istio's destination_workload = destination_canonical_service: equal values that cancel in an XOR hash.
        var counter = _registry.Factory.CreateCounter("conn_total", "c", "workload", "canonical", "flags");
        var cache = new SeriesCache<Prometheus.Counter.Child>(v => counter.WithLabels(v));

        cache.Get(["w1", "w1", "-"]).Inc(1);
        cache.Get(["w2", "w2", "-"]).Inc(2);
        cache.Get(["w1", "-", "w1"]).Inc(4);

        var samples = PrometheusTextReader.Parse(await _registry.CollectTextAsync());
        Assert.Equal(3, cache.Count);
        Assert.Equal(1, PrometheusSample.Sum(samples, "conn_total", new Dictionary<string, string> { ["workload"] = "w1", ["canonical"] = "w1" }));
        Assert.Equal(2, PrometheusSample.Sum(samples, "conn_total", new Dictionary<string, string> { ["workload"] = "w2" }));
        Assert.Equal(4, PrometheusSample.Sum(samples, "conn_total", new Dictionary<string, string> { ["flags"] = "w1" }));
    }
}
