using System.Diagnostics.Metrics;

namespace Mesh.Waypoint.Metrics;

/// <summary>
/// The waypoint's instruments (meter <c>Mesh.Waypoint</c>), exported on 15020: Istio's
/// <c>istio_requests_total</c> and <c>istio_request_duration_milliseconds</c> (one per request, its final
/// outcome), and <c>mesh_waypoint_upstream_retries_total</c> (one per retry, by destination service and reason: the
/// status code retried, or connect_failure, reset, per_try_timeout), and <c>mesh_waypoint_upstream_retries_skipped_total</c>
/// (one per request whose retry the policy wanted but the retry budget refused: reason budget_exhausted), and
/// <c>mesh_waypoint_endpoint_ejections_total</c> (one per circuit-breaker ejection of an endpoint, by destination service
/// and reason: consecutive_failures, failure_rate, probe_failed).
/// </summary>
public sealed class WaypointMetrics : IDisposable
{
    public const string MeterName = "Mesh.Waypoint";

    /// <summary>Istio's default request duration buckets (ms).</summary>
    public static readonly IReadOnlyList<double> DurationBuckets =
        [0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000];

    private readonly Meter _meter = new(MeterName);

    public WaypointMetrics()
    {
        Requests = _meter.CreateCounter<long>("istio_requests", "{request}", "Total number of requests handled by the waypoint");
        Duration = _meter.CreateHistogram("istio_request_duration_milliseconds", "ms", "Request duration at the waypoint",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        Retries = _meter.CreateCounter<long>("mesh_waypoint_upstream_retries", "{retry}", "Retries of upstream attempts by the waypoint");
        RetriesSkipped = _meter.CreateCounter<long>("mesh_waypoint_upstream_retries_skipped", "{retry}",
            "Retries the retry policy asked for and the waypoint did not make (the retry budget was exhausted)");
        Ejections = _meter.CreateCounter<long>("mesh_waypoint_endpoint_ejections", "{ejection}",
            "Endpoints the waypoint's circuit breaker ejected from its balancer");
    }

    public Counter<long> Requests { get; }
    public Histogram<double> Duration { get; }
    public Counter<long> Retries { get; }
    public Counter<long> RetriesSkipped { get; }
    public Counter<long> Ejections { get; }

    public void RecordRequest(KeyValuePair<string, object?>[] labels, double milliseconds)
    {
        Requests.Add(1, labels);
        Duration.Record(milliseconds, labels);
    }

    public void RecordRetry(string destinationService, string reason) =>
        Retries.Add(1, new KeyValuePair<string, object?>("destination_service", destinationService), new KeyValuePair<string, object?>("reason", reason));

    public void RecordRetrySkipped(string destinationService, string reason) =>
        RetriesSkipped.Add(1, new KeyValuePair<string, object?>("destination_service", destinationService), new KeyValuePair<string, object?>("reason", reason));

    public void RecordEjection(string destinationService, string reason) =>
        Ejections.Add(1, new KeyValuePair<string, object?>("destination_service", destinationService), new KeyValuePair<string, object?>("reason", reason));

    public void Dispose() => _meter.Dispose();
}
