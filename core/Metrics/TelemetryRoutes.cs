namespace Mesh.Core.Metrics;

/// <summary>The routes every component serves: Prometheus metrics and readiness.</summary>
public static class TelemetryRoutes
{
    public const string MetricsPath = "/metrics";
    public const string ReadinessPath = "/healthz/ready";
    public const int MetricsPort = 15020;
    public const int ReadinessPort = 15021;

    public static KeyValuePair<string, Func<TelemetryResponse>> Metrics(PrometheusCollector collector) =>
        new(MetricsPath, () => new TelemetryResponse(200, PrometheusCollector.ContentType, collector.CollectUtf8()));

    /// <summary>200 "ready" when <paramref name="ready"/> says so, else 503 "not ready".</summary>
    public static KeyValuePair<string, Func<TelemetryResponse>> Readiness(Func<bool> ready) =>
        new(ReadinessPath, () => ready() ? TelemetryResponse.Text(200, "ready\n") : TelemetryResponse.Text(503, "not ready\n"));
}
