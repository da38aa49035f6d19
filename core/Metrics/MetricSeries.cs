namespace Mesh.Core.Metrics;

/// <summary>One time series of a family: a label set and its current value(s).</summary>
internal abstract class MetricSeries(LabelSet labels)
{
    public LabelSet Labels { get; } = labels;

    public abstract void Record(double value, bool set);
}
