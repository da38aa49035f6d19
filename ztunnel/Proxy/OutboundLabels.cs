using Mesh.Ztunnel.Metrics;
using Mesh.Ztunnel.Outbound;

namespace Mesh.Ztunnel.Proxy;

/// <summary>The source side's Istio TCP labels (reporter="source") of a carried outbound plan (pure).</summary>
public static class OutboundLabels
{
    /// <summary>
    /// An HBONE tunnel: mutual TLS; the destination principal is the peer's when going straight to a pod, the
    /// destination pod's (if known) through a waypoint.
    /// </summary>
    public static TcpMetricLabels For(OutboundPlan.Hbone plan) =>
        TcpMetricLabels.ForOutbound(plan.Source, plan.DestinationWorkload,
            plan.Waypoint is null ? plan.ExpectedIdentity : plan.DestinationWorkload?.Identity, plan.DestinationService, mutualTls: true);

    /// <summary>Plain TCP out of the mesh: no principal, no TLS.</summary>
    public static TcpMetricLabels For(OutboundPlan.Passthrough plan) =>
        TcpMetricLabels.ForOutbound(plan.Source, plan.DestinationWorkload, null, plan.DestinationService, mutualTls: false);
}
