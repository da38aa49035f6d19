using Mesh.Core.Identity;
using Mesh.Core.Model;
using Mesh.Ztunnel.Outbound;

namespace Mesh.Ztunnel.Metrics;

/// <summary>
/// Istio's standard labels of the TCP metrics for one connection, as one tag array built once per connection.
/// Unknown values are "unknown", as in Istio, so dashboards and Kiali group them the same way.
/// </summary>
public sealed class TcpMetricLabels
{
    public const string Unknown = "unknown";
    public const string Cluster = "Kubernetes";

    private TcpMetricLabels(KeyValuePair<string, object?>[] tags) => Tags = tags;

    /// <summary>The tags, in Istio's label order.</summary>
    public KeyValuePair<string, object?>[] Tags { get; }

    public string this[string label] => Tags.First(t => t.Key == label).Value as string ?? Unknown;

    /// <summary>The source side's report (reporter="source") of an outbound connection, from its plan.</summary>
    public static TcpMetricLabels ForOutbound(OutboundPlan plan)
    {
        SpiffeId? destinationPrincipal = plan.Waypoint is null ? plan.ExpectedIdentity : plan.DestinationWorkload?.Identity;
        return Build("source", plan.Source, plan.SourceIdentity, plan.DestinationWorkload, destinationPrincipal,
            plan.DestinationService, plan.IsMutualTls);
    }

    /// <summary>
    /// The destination side's report (reporter="destination") of an inbound connection: the peer's verified
    /// identity (none for plaintext), the source workload when known, and the service it was addressed to if any.
    /// </summary>
    public static TcpMetricLabels ForInbound(Workload destination, SpiffeId? peer, Workload? source, bool mutualTls, Service? service = null) =>
        Build("destination", source, peer, destination, destination.Identity, service, mutualTls);

    private static TcpMetricLabels Build(string reporter, Workload? source, SpiffeId? sourcePrincipal, Workload? destination,
        SpiffeId? destinationPrincipal, Service? service, bool mutualTls) => new(
    [
        new("reporter", reporter),
        new("source_workload", source?.Name ?? Unknown),
        new("source_canonical_service", source is null ? Unknown : CanonicalService(source)),
        new("source_canonical_revision", source is null ? Unknown : CanonicalRevision(source)),
        new("source_workload_namespace", source?.Namespace ?? sourcePrincipal?.Namespace ?? Unknown),
        new("source_principal", sourcePrincipal?.ToString() ?? Unknown),
        new("source_app", Label(source, "app")),
        new("source_version", Label(source, "version")),
        new("source_cluster", source is null ? Unknown : Cluster),
        new("destination_service", service is null ? Unknown : $"{service.Name}.{service.Namespace}.svc.cluster.local"),
        new("destination_service_namespace", service?.Namespace ?? Unknown),
        new("destination_service_name", service?.Name ?? Unknown),
        new("destination_workload", destination?.Name ?? Unknown),
        new("destination_canonical_service", destination is null ? Unknown : CanonicalService(destination)),
        new("destination_canonical_revision", destination is null ? Unknown : CanonicalRevision(destination)),
        new("destination_workload_namespace", destination?.Namespace ?? Unknown),
        new("destination_principal", destinationPrincipal?.ToString() ?? Unknown),
        new("destination_app", Label(destination, "app")),
        new("destination_version", Label(destination, "version")),
        new("destination_cluster", destination is null ? Unknown : Cluster),
        new("request_protocol", "tcp"),
        new("response_flags", "-"),
        new("connection_security_policy", mutualTls ? "mutual_tls" : "none"),
    ]);

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
