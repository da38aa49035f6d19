namespace Mesh.Core.Metrics;

/// <summary>A histogram series: a count per bucket (upper bounds inclusive, as Prometheus' <c>le</c>), the sum and the count.</summary>
internal sealed class HistogramSeries(LabelSet labels, double[] bounds) : MetricSeries(labels)
{
    private readonly Lock _lock = new();
    private readonly long[] _counts = new long[bounds.Length + 1];
    private double _sum;
    private long _count;

    public double[] Bounds { get; } = bounds;

    public override void Record(double value, bool set)
    {
        var i = Array.BinarySearch(Bounds, value);
        if (i < 0)
        {
            i = ~i;
        }
        lock (_lock)
        {
            _counts[i]++;
            _sum += value;
            _count++;
        }
    }

    /// <summary>Cumulative counts per bound (the last one is +Inf), the sum and the count, read together.</summary>
    public (long[] Cumulative, double Sum, long Count) Snapshot()
    {
        var cumulative = new long[_counts.Length];
        lock (_lock)
        {
            long running = 0;
            for (var i = 0; i < _counts.Length; i++)
            {
                running += _counts[i];
                cumulative[i] = running;
            }
            return (cumulative, _sum, _count);
        }
    }
}
