namespace Mesh.Core.Metrics;

/// <summary>The Prometheus metric type an instrument is exported as.</summary>
public enum MetricKind
{
    /// <summary>Counter / ObservableCounter: monotonic, name ends in <c>_total</c>.</summary>
    Counter,
    /// <summary>UpDownCounter, Gauge, ObservableGauge, ObservableUpDownCounter.</summary>
    Gauge,
    /// <summary>Histogram: <c>_bucket{le=...}</c>, <c>_sum</c>, <c>_count</c>.</summary>
    Histogram,
}
