namespace Mesh.Cli.Stat;

/// <summary>
/// One sample of a Prometheus exposition: metric name, labels, value, and the endpoint it was scraped from (two
/// proxies may report series with the same labels; their counters are separate).
/// </summary>
internal sealed record MetricSample(string Target, string Name, IReadOnlyDictionary<string, string> Labels, double Value)
{
    public string Label(string name) => Labels.TryGetValue(name, out var v) ? v : "";

    /// <summary>Identifies the series across two scrapes.</summary>
    public string SeriesKey => $"{Target}\u0000{Name}\u0000{string.Join('\u0000', Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}"))}";
}
