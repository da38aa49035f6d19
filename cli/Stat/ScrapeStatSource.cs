using System.Diagnostics;

namespace Mesh.Cli.Stat;

/// <summary>
/// Rows from the proxies themselves: scrape every endpoint, wait the interval, scrape again, and compute with
/// <see cref="StatCalculator"/> over the time that really passed between the scrapes; each later call scrapes once more.
/// </summary>
internal sealed class ScrapeStatSource(IReadOnlyList<ScrapeTarget> targets, MetricsScraper scraper, TimeSpan interval,
    StatGrouping by, string? ns, TextWriter progress) : IStatSource
{
    private List<MetricSample>? _previous;
    private long _previousAt;

    public async Task<StatResult> NextAsync(CancellationToken ct)
    {
        if (targets.Count == 0)
        {
            throw new StatException("no proxy metrics endpoint found (no ztunnel or waypoint runs); is the mesh running?");
        }
        if (_previous is null)
        {
            _previous = await scraper.ScrapeAsync(targets, ct);
            _previousAt = Stopwatch.GetTimestamp();
            await progress.WriteLineAsync($"meshctl: scraped {targets.Count} endpoint(s) ({string.Join(", ", targets.Select(t => t.Name))}); again in {interval.TotalSeconds:0.#} s");
        }
        await Task.Delay(interval, ct);
        var current = await scraper.ScrapeAsync(targets, ct);
        var now = Stopwatch.GetTimestamp();
        var elapsed = Stopwatch.GetElapsedTime(_previousAt, now);
        var rows = StatCalculator.Compute(_previous, current, elapsed, by, ns);
        _previous = current;
        _previousAt = now;
        return new StatResult(rows, elapsed, targets.Count);
    }

    public void Dispose() => scraper.Dispose();
}
