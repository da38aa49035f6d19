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

    /// <summary>The label names of Istio's TCP metrics (istio_tcp_*), in Istio's order.</summary>
    public static readonly string[] TcpNames =
    [
        "reporter", "source_workload", "source_canonical_service", "source_canonical_revision", "source_workload_namespace",
        "source_principal", "source_app", "source_version", "source_cluster", "destination_service", "destination_service_namespace",
        "destination_service_name", "destination_workload", "destination_canonical_service", "destination_canonical_revision",
        "destination_workload_namespace", "destination_principal", "destination_app", "destination_version", "destination_cluster",
        "request_protocol", "response_flags", "connection_security_policy",
    ];

    /// <summary>The label names of Istio's HTTP metrics: the TCP ones with response_code after request_protocol.</summary>
    public static readonly string[] HttpNames = [.. TcpNames[..21], "response_code", .. TcpNames[21..]];

    /// <summary>
    /// The one label the waypoint adds to Istio's HTTP ones (last, after them): the HTTPRoute or GRPCRoute that matched
    /// (its name; empty when none did), Linkerd's <c>route_name</c>, which <c>meshctl stat route</c> groups by.
    /// </summary>
    public const string RouteName = "route_name";

    /// <summary>The label names of the waypoint's HTTP metrics: <see cref="HttpNames"/>, then <see cref="RouteName"/>.</summary>
    public static readonly string[] WaypointHttpNames = [.. HttpNames, RouteName];

    /// <summary>
    /// The labels of one report by <paramref name="reporter"/> ("source", "destination", "waypoint"), named by
    /// <see cref="TcpNames"/>, or by <see cref="HttpNames"/> when <paramref name="responseCode"/> is given (HTTP only:
    /// Istio's TCP metrics have no response_code), or by <see cref="WaypointHttpNames"/> when
    /// <paramref name="routeName"/> is given too (one array per report, the route's slot included).
    /// </summary>
    public static IstioLabelValues Build(string reporter, Workload? source, SpiffeId? sourcePrincipal, Workload? destination,
        SpiffeId? destinationPrincipal, Service? service, string protocol, int? responseCode, string responseFlags, bool mutualTls,
        string? routeName = null)
    {
        var names = responseCode is null ? TcpNames : routeName is null ? HttpNames : WaypointHttpNames;
        var values = new string[names.Length];
        var i = 0;
        values[i++] = reporter;
        values[i++] = source?.Name ?? Unknown;
        values[i++] = source is null ? Unknown : CanonicalService(source);
        values[i++] = source is null ? Unknown : CanonicalRevision(source);
        values[i++] = source?.Namespace ?? sourcePrincipal?.Namespace ?? Unknown;
        values[i++] = sourcePrincipal?.ToString() ?? Unknown;
        values[i++] = Label(source, "app");
        values[i++] = Label(source, "version");
        values[i++] = source is null ? Unknown : Cluster;
        values[i++] = ServiceName(service);
        values[i++] = service?.Namespace ?? Unknown;
        values[i++] = service?.Name ?? Unknown;
        values[i++] = destination?.Name ?? Unknown;
        values[i++] = destination is null ? Unknown : CanonicalService(destination);
        values[i++] = destination is null ? Unknown : CanonicalRevision(destination);
        values[i++] = destination?.Namespace ?? Unknown;
        values[i++] = destinationPrincipal?.ToString() ?? Unknown;
        values[i++] = Label(destination, "app");
        values[i++] = Label(destination, "version");
        values[i++] = destination is null ? Unknown : Cluster;
        values[i++] = protocol;
        if (responseCode is { } code)
        {
            values[i++] = code.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        values[i++] = responseFlags;
        values[i++] = mutualTls ? "mutual_tls" : "none";
        if (responseCode is not null && routeName is not null)
        {
            values[i] = routeName;
        }
        return new IstioLabelValues(names, values);
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
