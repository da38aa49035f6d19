using System.Collections.Immutable;
using Mesh.Waypoint.Metrics;
using Mesh.Waypoint.Routing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace Mesh.Waypoint.Forwarding;

/// <summary>
/// The forwarder's edge of circuit breaking: the backend's <see cref="EndpointEjector"/> (none when its Service disabled
/// it), each attempt's verdict recorded, and every ejection and return reported once: a log line, and for an ejection
/// <c>mesh_waypoint_endpoint_ejections_total{destination_service, reason}</c>.
/// </summary>
public sealed partial class CircuitBreaking(EndpointEjectors ejectors, WaypointMetrics metrics, ILogger<CircuitBreaking> logger)
{
    public EndpointEjector? For(RoutePlan plan, string service) =>
        plan.BackendService is { } backend ? ejectors.For(service, backend.FailureAccrual) : null;

    /// <param name="status">The attempt's response status (null: none arrived).</param>
    /// <param name="neutral">The attempt says nothing about the endpoint (the client left, the request's timeout fired).</param>
    public void Record(EndpointEjector? ejector, string service, BackendEndpoint endpoint, ImmutableArray<BackendEndpoint> endpoints,
        HttpContext ctx, int? status, bool neutral)
    {
        if (ejector is null)
        {
            return;
        }
        var verdict = neutral ? EndpointVerdict.Neutral : EndpointVerdicts.Of(status, GrpcStatus(ctx));
        var change = ejector.Record(endpoint, verdict, endpoints);
        switch (change.Kind)
        {
            case EjectionKind.Ejected:
                metrics.RecordEjection(service, change.Reason!);
                Log.Ejected(logger, endpoint.Address, service, change.Reason!, change.Penalty.TotalSeconds, change.Ejections);
                break;
            case EjectionKind.Returned:
                Log.Returned(logger, endpoint.Address, service, change.Ejections);
                break;
        }
    }

    /// <summary>The <c>grpc-status</c> the client got: in the headers (trailers-only answer) or the trailers.</summary>
    private static string? GrpcStatus(HttpContext ctx) =>
        ctx.Response.Headers.TryGetValue("grpc-status", out var h) ? h.ToString()
        : ctx.Features.Get<IHttpResponseTrailersFeature>()?.Trailers is { } t && t.TryGetValue("grpc-status", out var v) ? v.ToString()
        : null;

    private static partial class Log
    {
        [LoggerMessage(6210, LogLevel.Warning, "circuit breaker: endpoint {Endpoint} of {Service} ejected for {PenaltySeconds:F1} s ({Reason}, ejection {Ejections} in a row)")]
        public static partial void Ejected(ILogger logger, System.Net.IPEndPoint endpoint, string service, string reason, double penaltySeconds, int ejections);

        [LoggerMessage(6211, LogLevel.Information, "circuit breaker: endpoint {Endpoint} of {Service} returned after its probe succeeded ({Ejections} ejection(s))")]
        public static partial void Returned(ILogger logger, System.Net.IPEndPoint endpoint, string service, int ejections);
    }
}
