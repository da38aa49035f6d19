using Mesh.Core.Identity;
using Mesh.Core.Metrics;
using Mesh.Core.Model;

namespace Mesh.Ztunnel.Metrics;

/// <summary>Istio's labels of the TCP metrics for one connection (<see cref="IstioLabels"/>), built once per connection.</summary>
public sealed class TcpMetricLabels
{
    private TcpMetricLabels(IstioLabelValues values) => Values = values;

    /// <summary>The values, in Istio's label order (<see cref="IstioLabels.TcpNames"/>).</summary>
    public IstioLabelValues Values { get; }

    public string this[string label] => Values[label];

    /// <summary>
    /// The source side's report (reporter="source") of an outbound connection (from its plan: the source, the addressed
    /// workload and service, the peer principal when known; mutual TLS for an HBONE tunnel, none for plain TCP).
    /// </summary>
    public static TcpMetricLabels ForOutbound(Workload source, Workload? destination, SpiffeId? destinationPrincipal, Service? service, bool mutualTls) =>
        Build("source", source, source.Identity, destination, destinationPrincipal, service, mutualTls);

    /// <summary>
    /// The destination side's report (reporter="destination") of an inbound connection: the peer's verified
    /// identity (none for plaintext), the source workload when known, and the service it was addressed to if any.
    /// </summary>
    public static TcpMetricLabels ForInbound(Workload destination, SpiffeId? peer, Workload? source, bool mutualTls, Service? service = null) =>
        Build("destination", source, peer, destination, destination.Identity, service, mutualTls);

    private static TcpMetricLabels Build(string reporter, Workload? source, SpiffeId? sourcePrincipal, Workload? destination,
        SpiffeId? destinationPrincipal, Service? service, bool mutualTls) =>
        new(IstioLabels.Build(reporter, source, sourcePrincipal, destination, destinationPrincipal, service, "tcp", responseCode: null, "-", mutualTls));
}
