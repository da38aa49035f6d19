using Mesh.Core.Hbone;
using Mesh.Ztunnel.Inbound;
using Mesh.Ztunnel.Limits;
using Mesh.Ztunnel.Metrics;
using Mesh.Ztunnel.Outbound;
using Mesh.Ztunnel.Redirection;
using Mesh.Core.Model;
using Mesh.Core.State;
using Microsoft.Extensions.Logging;

namespace Mesh.Ztunnel.Proxy;

/// <summary>
/// Everything the in-pod listeners need from the process (state, sockets, identities, HBONE client and server,
/// metrics, limits), handed to each of them as one record. Built once at start, before capture is loaded; the
/// original-destination map, which the load yields, goes to <see cref="MeshProxy"/> beside it.
/// </summary>
public sealed record ProxyInputs(
    IReadOnlySnapshot<MeshState> State,
    PodSocketFactory Sockets,
    IWorkloadCredentials Credentials,
    HboneClient Client,
    HboneServer Server,
    TcpMetrics Metrics,
    MtlsMode MeshMtlsMode,
    ILogger Logger,
    ConnectionBudget Budget,
    RefusalReporter Refusals,
    IdleTracker Idle,
    OutstandingConnections Outstanding)
{
    public ProxyLimits Limits => Budget.Limits;
}
