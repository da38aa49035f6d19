using System.Collections.Concurrent;

namespace Mesh.Core.Metrics;

/// <summary>All series exported under one Prometheus name (one or more instruments of the same kind).</summary>
internal sealed class MetricFamily(string name, string help, MetricKind kind, double[] bounds)
{
    private readonly ConcurrentDictionary<string, MetricSeries> _series = new(StringComparer.Ordinal);

    public string Name { get; } = name;
    public string Help { get; } = help;
    public MetricKind Kind { get; } = kind;
    public double[] Bounds { get; } = bounds;

    public MetricSeries Get(LabelSet labels)
    {
        if (_series.TryGetValue(labels.Key, out var s))
        {
            return s;
        }
        return _series.GetOrAdd(labels.Key, _ => Kind == MetricKind.Histogram
            ? new HistogramSeries(labels, Bounds)
            : new ValueSeries(labels));
    }

    public IEnumerable<MetricSeries> Series => _series.Values.OrderBy(s => s.Labels.Key, StringComparer.Ordinal);

    public void Clear() => _series.Clear();
}
