using Prometheus;

namespace Mesh.Core.Metrics;

/// <summary>
/// One component instance's metrics: a private prometheus-net <see cref="CollectorRegistry"/> (never the static default
/// one, so several components in one process, as in the tests, stay apart; a custom registry has none of
/// prometheus-net's default process/.NET collectors) and the <see cref="Factory"/> its collectors are created from, with
/// exemplars off (the text format 0.0.4 carries none, so recording them would be work for nothing). The exposition is
/// prometheus-net's own serializer; <see cref="TelemetryRoutes.Metrics"/> serves it.
/// </summary>
public sealed class MetricsRegistry
{
    public const string ContentType = PrometheusConstants.TextContentTypeWithVersionAndEncoding;

    private int _lastSize;

    public MetricsRegistry()
    {
        Registry = Prometheus.Metrics.NewCustomRegistry();
        Factory = Prometheus.Metrics.WithCustomRegistry(Registry);
        Factory.ExemplarBehavior = ExemplarBehavior.NoExemplars();
    }

    public CollectorRegistry Registry { get; }
    public MetricFactory Factory { get; }

    /// <summary>Runs before every scrape, e.g. to flush byte counts of connections still open or read process figures.</summary>
    public void BeforeCollect(Action callback) => Registry.AddBeforeCollectCallback(callback);

    /// <summary>Writes the current values of every collector in the Prometheus text format 0.0.4.</summary>
    public Task CollectAsync(Stream destination, CancellationToken cancel = default) => Registry.CollectAndExportAsTextAsync(destination, cancel);

    public async Task<byte[]> CollectUtf8Async(CancellationToken cancel = default)
    {
        // Sized from the last exposition (plus room to grow), so a large one is not copied over and over while it grows.
        var last = Volatile.Read(ref _lastSize);
        using var buffer = new MemoryStream(Math.Max(16 * 1024, last + (last >> 3)));
        await CollectAsync(buffer, cancel).ConfigureAwait(false);
        Volatile.Write(ref _lastSize, (int)buffer.Length);
        return buffer.ToArray();
    }

    public async Task<string> CollectTextAsync(CancellationToken cancel = default) =>
        System.Text.Encoding.UTF8.GetString(await CollectUtf8Async(cancel).ConfigureAwait(false));
}
