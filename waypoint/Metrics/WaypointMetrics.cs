using Mesh.Core.Metrics;
using Prometheus;

namespace Mesh.Waypoint.Metrics;

/// <summary>
/// The waypoint's collectors on its <see cref="MetricsRegistry"/>, exported on 15020: Istio's
/// <c>istio_requests_total</c> and <c>istio_request_duration_milliseconds</c> (one per request, its final outcome,
/// labelled by <see cref="IstioLabels.WaypointHttpNames"/>: Istio's and the route's name, found through a <see cref="SeriesCache{TSeries}"/>), <c>mesh_waypoint_upstream_retries_total</c> (one per retry, by
/// destination service and reason: the status code retried, or connect_failure, reset, per_try_timeout),
/// <c>mesh_waypoint_upstream_retries_skipped_total</c> (one per request whose retry the policy wanted but the retry
/// budget refused: reason budget_exhausted), and <c>mesh_waypoint_endpoint_ejections_total</c> (one per circuit-breaker
/// ejection of an endpoint, by destination service and reason: consecutive_failures, failure_rate, probe_failed).
/// </summary>
public sealed class WaypointMetrics
{
    /// <summary>Istio's default request duration buckets (ms).</summary>
    public static readonly IReadOnlyList<double> DurationBuckets =
        [0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000];

    private readonly SeriesCache<(Counter.Child Requests, Histogram.Child Duration)> _series;
    private readonly Counter _retries;
    private readonly Counter _retriesSkipped;
    private readonly Counter _ejections;

    public WaypointMetrics(MetricsRegistry registry)
    {
        Registry = registry;
        var f = registry.Factory;
        var requests = f.CreateCounter("istio_requests_total", "Total number of requests handled by the waypoint", IstioLabels.WaypointHttpNames);
        var duration = f.CreateHistogram("istio_request_duration_milliseconds", "Request duration at the waypoint", IstioLabels.WaypointHttpNames,
            new HistogramConfiguration { Buckets = [.. DurationBuckets] });
        _series = new(v => (requests.WithLabels(v), duration.WithLabels(v)));
        _retries = f.CreateCounter("mesh_waypoint_upstream_retries_total", "Retries of upstream attempts by the waypoint", "destination_service", "reason");
        _retriesSkipped = f.CreateCounter("mesh_waypoint_upstream_retries_skipped_total",
            "Retries the retry policy asked for and the waypoint did not make (the retry budget was exhausted)", "destination_service", "reason");
        _ejections = f.CreateCounter("mesh_waypoint_endpoint_ejections_total", "Endpoints the waypoint's circuit breaker ejected from its balancer",
            "destination_service", "reason");
    }

    /// <summary>A registry of its own (tests).</summary>
    public WaypointMetrics() : this(new MetricsRegistry())
    {
    }

    public MetricsRegistry Registry { get; }

    /// <summary>One request's final outcome: its Istio labels, the route that matched (null: none) and its duration.</summary>
    /// <summary>One request, labelled by <see cref="RequestLabels.Build"/> (named by <see cref="IstioLabels.WaypointHttpNames"/>).</summary>
    public void RecordRequest(IstioLabelValues labels, double milliseconds)
    {
        var (requests, duration) = _series.Get(labels.Values);
        requests.Inc();
        duration.Observe(milliseconds);
    }

    public void RecordRetry(string destinationService, string reason) => _retries.WithLabels(destinationService, reason).Inc();

    public void RecordRetrySkipped(string destinationService, string reason) => _retriesSkipped.WithLabels(destinationService, reason).Inc();

    public void RecordEjection(string destinationService, string reason) => _ejections.WithLabels(destinationService, reason).Inc();
}
