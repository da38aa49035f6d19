using Mesh.Core.Identity;
using Mesh.Core.Model;

namespace Mesh.Core.Metrics;

/// <summary>
/// Istio's standard metric labels, built in one place for ztunnel's TCP reports (istio_tcp_*) and the waypoint's HTTP
/// reports (istio_requests_total, istio_request_duration_milliseconds): the same labels in Istio's order, the HTTP
/// ones with response_code. Unknown values are "unknown", as in Istio, so dashboards and Kiali group them the same way.
/// The canonical service is the <c>service.istio.io/canonical-name</c> label, else <c>app.kubernetes.io/name</c>, else
/// <c>app</c>, else the workload's name; the revision likewise from canonical-revision, app.kubernetes.io/version,
/// version, else "latest". Pure.
/// </summary>
public static class IstioLabels
{
    public const string Unknown = "unknown";
    public const string Cluster = "Kubernetes";

    /// <summary>
    /// The labels of one report by <paramref name="reporter"/> ("source", "destination", "waypoint");
    /// <paramref name="responseCode"/> only for HTTP (null: the label is left out, as on Istio's TCP metrics).
    /// </summary>
    public static KeyValuePair<string, object?>[] Build(string reporter, Workload? source, SpiffeId? sourcePrincipal, Workload? destination,
        SpiffeId? destinationPrincipal, Service? service, string protocol, int? responseCode, string responseFlags, bool mutualTls)
    {
        var tags = new KeyValuePair<string, object?>[responseCode is null ? 23 : 24];
        var i = 0;
        tags[i++] = new("reporter", reporter);
        tags[i++] = new("source_workload", source?.Name ?? Unknown);
        tags[i++] = new("source_canonical_service", source is null ? Unknown : CanonicalService(source));
        tags[i++] = new("source_canonical_revision", source is null ? Unknown : CanonicalRevision(source));
        tags[i++] = new("source_workload_namespace", source?.Namespace ?? sourcePrincipal?.Namespace ?? Unknown);
        tags[i++] = new("source_principal", sourcePrincipal?.ToString() ?? Unknown);
        tags[i++] = new("source_app", Label(source, "app"));
        tags[i++] = new("source_version", Label(source, "version"));
        tags[i++] = new("source_cluster", source is null ? Unknown : Cluster);
        tags[i++] = new("destination_service", ServiceName(service));
        tags[i++] = new("destination_service_namespace", service?.Namespace ?? Unknown);
        tags[i++] = new("destination_service_name", service?.Name ?? Unknown);
        tags[i++] = new("destination_workload", destination?.Name ?? Unknown);
        tags[i++] = new("destination_canonical_service", destination is null ? Unknown : CanonicalService(destination));
        tags[i++] = new("destination_canonical_revision", destination is null ? Unknown : CanonicalRevision(destination));
        tags[i++] = new("destination_workload_namespace", destination?.Namespace ?? Unknown);
        tags[i++] = new("destination_principal", destinationPrincipal?.ToString() ?? Unknown);
        tags[i++] = new("destination_app", Label(destination, "app"));
        tags[i++] = new("destination_version", Label(destination, "version"));
        tags[i++] = new("destination_cluster", destination is null ? Unknown : Cluster);
        tags[i++] = new("request_protocol", protocol);
        if (responseCode is { } code)
        {
            tags[i++] = new("response_code", code.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        tags[i++] = new("response_flags", responseFlags);
        tags[i] = new("connection_security_policy", mutualTls ? "mutual_tls" : "none");
        return tags;
    }

    /// <summary>The destination_service label: the service's cluster-local name, "unknown" without one.</summary>
    public static string ServiceName(Service? service) => service is null ? Unknown : $"{service.Name}.{service.Namespace}.svc.cluster.local";

    private static string Label(Workload? w, string key) =>
        w is not null && w.Labels.TryGetValue(key, out var v) ? v : Unknown;

    private static string CanonicalService(Workload w) =>
        First(w, "service.istio.io/canonical-name", "app.kubernetes.io/name", "app") ?? w.Name;

    private static string CanonicalRevision(Workload w) =>
        First(w, "service.istio.io/canonical-revision", "app.kubernetes.io/version", "version") ?? "latest";

    private static string? First(Workload w, params string[] keys)
    {
        foreach (var k in keys)
        {
            if (w.Labels.TryGetValue(k, out var v) && v.Length > 0)
            {
                return v;
            }
        }
        return null;
    }
}
