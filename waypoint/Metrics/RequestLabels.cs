using Mesh.Core.Identity;
using Mesh.Core.Model;

namespace Mesh.Waypoint.Metrics;

/// <summary>
/// Istio's standard labels of the HTTP metrics for one request as the waypoint reports it (reporter="waypoint", as
/// Istio's waypoints do): source from the tunnel (peer identity, workload by address), destination = the backend
/// service and the endpoint workload of the last attempt. Unknown values are "unknown".
/// </summary>
public static class RequestLabels
{
    public const string Unknown = "unknown";

    public static KeyValuePair<string, object?>[] Build(Workload? source, SpiffeId? sourcePrincipal, Service? service, Workload? destination,
        int responseCode, string responseFlags, bool mutualTls, bool grpc = false) =>
    [
        new("reporter", "waypoint"),
        new("source_workload", source?.Name ?? Unknown),
        new("source_canonical_service", source is null ? Unknown : Canonical(source, "app") ?? source.Name),
        new("source_workload_namespace", source?.Namespace ?? sourcePrincipal?.Namespace ?? Unknown),
        new("source_principal", sourcePrincipal?.ToString() ?? Unknown),
        new("source_app", Label(source, "app")),
        new("source_version", Label(source, "version")),
        new("destination_service", service is null ? Unknown : $"{service.Name}.{service.Namespace}.svc.cluster.local"),
        new("destination_service_namespace", service?.Namespace ?? Unknown),
        new("destination_service_name", service?.Name ?? Unknown),
        new("destination_workload", destination?.Name ?? Unknown),
        new("destination_canonical_service", destination is null ? Unknown : Canonical(destination, "app") ?? destination.Name),
        new("destination_workload_namespace", destination?.Namespace ?? Unknown),
        new("destination_principal", destination?.Identity.ToString() ?? Unknown),
        new("destination_app", Label(destination, "app")),
        new("destination_version", Label(destination, "version")),
        new("request_protocol", grpc ? "grpc" : "http"),
        new("response_code", responseCode.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("response_flags", responseFlags),
        new("connection_security_policy", mutualTls ? "mutual_tls" : "none"),
    ];

    private static string Label(Workload? w, string key) =>
        w is not null && w.Labels.TryGetValue(key, out var v) ? v : Unknown;

    private static string? Canonical(Workload w, string key) =>
        w.Labels.TryGetValue("service.istio.io/canonical-name", out var c) ? c : w.Labels.TryGetValue(key, out var v) ? v : null;
}
