using System.Net;
using Mesh.Core.Discovery;
using Mesh.Core.Hbone.Http2;
using Mesh.Core.Identity;
using Mesh.Core.Metrics;
using Mesh.Native;
using Mesh.Ztunnel.Enrollment;
using Mesh.Core.Hbone;
using Mesh.Ztunnel.Identity;
using Mesh.Ztunnel.Inbound;
using Mesh.Ztunnel.Limits;
using Mesh.Ztunnel.Metrics;
using Mesh.Ztunnel.Proxy;
using Mesh.Ztunnel.Redirection;
using Mesh.Ztunnel.State;
using Microsoft.Extensions.Logging;

namespace Mesh.Ztunnel.Host;

/// <summary>
/// ztunnel with a control plane: discovery feeds the mesh state, the identity manager gets certificates from
/// the CA, capture follows the enrolled pods, and each pod's listeners carry HBONE out and in. Metrics on
/// 15020, readiness on 15021 (ready once capture is loaded and the first mesh state has arrived).
/// </summary>
public sealed class MeshHost(ZtunnelOptions options, ILoggerFactory loggers)
{
    /// <summary>
    /// HTTP/2 windows of the tunnels, both roles: 1 MiB per stream, 4 MiB per connection (the HTTP/2 layer's
    /// defaults are 4 and 16 MiB). The windows bound the bytes in flight, each held in a pooled 16 KiB segment until
    /// the other side reads it; with 4 MiB a single bulk stream kept ~250 segments alive, more than the shared pool
    /// keeps, so they were allocated anew, survived gen0 and grew the heap (peak RSS 130 -> 89 MB under iperf3,
    /// same MB/s: a node-to-node round trip is far below window / rate).
    /// </summary>
    internal static readonly Http2Options TunnelWindows = new() { StreamWindowSize = 1024 * 1024, ConnectionWindowSize = 4 * 1024 * 1024 };

    private readonly ILogger _logger = loggers.CreateLogger<MeshHost>();

    public async Task<int> RunAsync(CancellationToken stop)
    {
        MeshHostLog.Starting(_logger, options.Node, options.PodsFile, options.ControlPlane, options.RootCertFile, options.TcMode, Environment.ProcessId);
        if (!StartChecks.Pass(_logger))
        {
            return 1;
        }
        var controlPlane = new ControlPlaneClientOptions
        {
            Address = options.ControlPlane,
            TrustBundleFile = options.RootCertFile,
            Node = options.Node,
            TokenFile = options.TokenFile,
        };
        var store = new MeshStateStore();
        using var discovery = new DiscoveryClient(new DiscoveryClientOptions { ControlPlane = controlPlane }, loggers.CreateLogger<DiscoveryClient>());
        discovery.StateChanged += store.Update;
        using var ca = new CaClient(controlPlane);
        await using var identities = new IdentityManager(ca, TimeProvider.System, loggers.CreateLogger<IdentityManager>());
        using var metrics = new TcpMetrics();
        using var process = new ProcessMetrics();
        using var collector = new PrometheusCollector(TcpMetrics.MeterName, ProcessMetrics.MeterName);
        collector.BeforeCollect(metrics.FlushOpen);

        var redirection = new RedirectionOptions { TcMode = options.TcMode };
        if (options.BpfDirectory is not null)
        {
            redirection = redirection with { BpfDirectory = options.BpfDirectory };
        }
        ProxyInputs? inputs = null;
        using var proxy = new MeshProxy(() => inputs!);
        using var manager = new RedirectionManager(redirection, proxy, loggers.CreateLogger<RedirectionManager>());
        var limits = options.Limits;
        var fdLimit = FdLimit.RaiseToHard();
        var budget = new ConnectionBudget(limits, limits.NodeLimit(fdLimit));
        var refusals = new RefusalReporter(metrics, loggers.CreateLogger<ConnectionBudget>());
        using var idle = new IdleTracker(limits.StreamIdleTimeout);
        using var trim = new MemoryTrim(() => budget.NodeConnections);
        LimitsLog.Effective(_logger, fdLimit, budget.NodeLimit, limits.MaxConnectionsPerPod, limits.MaxConnectionsPerPeer, limits.MaxStreamsPerConnection,
            limits.MaxHandshakes, limits.ConnectTimeout, limits.HandshakeTimeout, limits.ConnectionIdleTimeout, limits.StreamIdleTimeout);
        await using var client = new HboneClient(HboneLimits.Client(limits, TunnelWindows, proxy.ConnectFromPodAsync));
        var server = new HboneServer(HboneLimits.Server(limits, TunnelWindows, refusals), loggers.CreateLogger<HboneServer>());
        inputs = new ProxyInputs(store, manager, new PodSocketFactory(redirection), new WorkloadCredentials(identities),
            client, server, metrics, MtlsMode.Permissive, loggers.CreateLogger<MeshProxy>(), budget, refusals, idle);
        var reconciler = new PodReconciler(options.PodsFile, store, manager, identities.SetLocalIdentities, loggers.CreateLogger<PodReconciler>());
        try
        {
            reconciler.Start();
        }
        catch (RedirectionException e)
        {
            CaptureHostLog.StartFailed(_logger, e.Message);
            return 1;
        }

        var synced = 0;
        discovery.StateChanged += _ => Volatile.Write(ref synced, 1);
        var telemetry = StartTelemetry(collector, () => Volatile.Read(ref synced) == 1);
        if (telemetry is null)
        {
            return 1;
        }
        await using var metricsServer = telemetry.Value.Metrics;
        await using var readinessServer = telemetry.Value.Readiness;
        var discoveryLoop = discovery.RunAsync(stop);
        MeshHostLog.Listening(_logger, options.TelemetryAddress);
        await reconciler.RunAsync(stop).ConfigureAwait(false);
        CaptureHostLog.Stopping(_logger);
        try
        {
            await discoveryLoop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        return 0;
    }

    private (TelemetryServer Metrics, TelemetryServer Readiness)? StartTelemetry(PrometheusCollector collector, Func<bool> ready)
    {
        try
        {
            // Two listeners, as Istio has them: 15020 metrics, 15021 readiness.
            var metricsServer = TelemetryServer.Start(new IPEndPoint(options.TelemetryAddress, TelemetryRoutes.MetricsPort),
                [new(TelemetryRoutes.MetricsPath, () => new TelemetryResponse(200, PrometheusCollector.ContentType, collector.CollectUtf8()))]);
            var readinessServer = TelemetryServer.Start(new IPEndPoint(options.TelemetryAddress, TelemetryRoutes.ReadinessPort),
                [new(TelemetryRoutes.ReadinessPath, () => ready()
                    ? TelemetryResponse.Text(200, "ready\n")
                    : TelemetryResponse.Text(503, "waiting for the first mesh state from the control plane\n"))]);
            return (metricsServer, readinessServer);
        }
        catch (System.Net.Sockets.SocketException e)
        {
            var reason = $"cannot listen on {options.TelemetryAddress} ports {TelemetryRoutes.MetricsPort}/{TelemetryRoutes.ReadinessPort}: {e.Message}";
            CaptureHostLog.StartFailed(_logger, reason);
            return null;
        }
    }
}
