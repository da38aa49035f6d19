namespace Mesh.Cli.Stat;

/// <summary>Rows from a Prometheus server: the <see cref="PromQl"/> queries over a window of the interval, run again after each interval.</summary>
internal sealed class PrometheusStatSource(PrometheusClient client, TimeSpan interval, StatGrouping by, string? ns) : IStatSource
{
    private bool _first = true;

    public async Task<StatResult> NextAsync(CancellationToken ct)
    {
        if (!_first)
        {
            await Task.Delay(interval, ct);
        }
        _first = false;
        var answers = new Dictionary<string, List<(IReadOnlyDictionary<string, string> Labels, double Value)>>(StringComparer.Ordinal);
        foreach (var (column, query) in PromQl.Queries(by, interval, ns))
        {
            answers[column] = await client.QueryAsync(query, ct);
        }
        return new StatResult(PromQl.Rows(by, answers), interval, 0);
    }

    public void Dispose() => client.Dispose();
}
