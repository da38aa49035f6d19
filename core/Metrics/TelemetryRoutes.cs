namespace Mesh.Core.Metrics;

/// <summary>The routes every component serves: Prometheus metrics and readiness.</summary>
public static class TelemetryRoutes
{
    public const string MetricsPath = "/metrics";
    public const string ReadinessPath = "/healthz/ready";
    public const int MetricsPort = 15020;
    public const int ReadinessPort = 15021;

    /// <summary>The registry's exposition (prometheus-net's serializer) at <see cref="MetricsPath"/>.</summary>
    public static KeyValuePair<string, Func<ValueTask<TelemetryResponse>>> Metrics(MetricsRegistry registry) =>
        new(MetricsPath, async () => new TelemetryResponse(200, MetricsRegistry.ContentType, await registry.CollectUtf8Async().ConfigureAwait(false)));

    /// <summary>200 "ready" when <paramref name="ready"/> says so, else 503 with <paramref name="notReady"/> (what it waits for).</summary>
    public static KeyValuePair<string, Func<ValueTask<TelemetryResponse>>> Readiness(Func<bool> ready, string notReady = "not ready") =>
        Route(ReadinessPath, () => ready() ? TelemetryResponse.Text(200, "ready\n") : TelemetryResponse.Text(503, notReady + "\n"));

    /// <summary>A route answered synchronously.</summary>
    public static KeyValuePair<string, Func<ValueTask<TelemetryResponse>>> Route(string path, Func<TelemetryResponse> handler) =>
        new(path, () => ValueTask.FromResult(handler()));
}
