using Mesh.Core.Hbone;
using Mesh.Ztunnel.Inbound;
using Mesh.Ztunnel.Limits;
using Mesh.Ztunnel.Metrics;
using Mesh.Ztunnel.Outbound;
using Mesh.Ztunnel.Redirection;
using Mesh.Ztunnel.State;
using Microsoft.Extensions.Logging;

namespace Mesh.Ztunnel.Proxy;

/// <summary>Everything the in-pod listeners need, handed to each of them as one record.</summary>
public sealed record ProxyInputs(
    MeshStateStore State,
    IOriginalDestinations Destinations,
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
