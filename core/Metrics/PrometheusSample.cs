namespace Mesh.Core.Metrics;

/// <summary>One sample of a Prometheus text exposition: the metric name, its labels and its value.</summary>
public sealed record PrometheusSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value)
{
    /// <summary>The sum of <paramref name="name"/>'s samples whose labels include every pair of <paramref name="match"/>.</summary>
    public static double Sum(IEnumerable<PrometheusSample> samples, string name, IReadOnlyDictionary<string, string> match) =>
        samples.Where(s => s.Name == name && match.All(m => s.Labels.TryGetValue(m.Key, out var v) && v == m.Value)).Sum(s => s.Value);
}
