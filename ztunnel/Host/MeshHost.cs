using System.Net;
using System.Net.Sockets;
using Mesh.Core.Discovery;
using Mesh.Core.Hbone.Http2;
using Mesh.Core.Identity;
using Mesh.Core.Metrics;
using Mesh.Native.Net;
using Mesh.Ztunnel.Enrollment;
using Mesh.Core.Hbone;
using Mesh.Ztunnel.Identity;
using Mesh.Ztunnel.Inbound;
using Mesh.Ztunnel.Limits;
using Mesh.Ztunnel.Metrics;
using Mesh.Ztunnel.NodeAgent;
using Mesh.Ztunnel.Outbound;
using Mesh.Ztunnel.Proxy;
using Mesh.Ztunnel.Redirection;
using Mesh.Core.Model;
using Mesh.Core.State;
using Microsoft.Extensions.Logging;

namespace Mesh.Ztunnel.Host;

/// <summary>
/// ztunnel with a control plane: discovery feeds the mesh state, the identity manager gets certificates from
/// the CA, capture follows the enrolled pods, and each pod's listeners carry HBONE out and in. Metrics on
/// 15020, readiness on 15021 (ready once capture is loaded and the first mesh state has arrived).
/// </summary>
public sealed class MeshHost(
    ZtunnelOptions options,
    RedirectionOptions redirection,
    ILoggerFactory loggers,
    DiscoveryClient discovery,
    TrustAnchors anchors,
    IdentityManager identities,
    MetricsRegistry registry,
    ProxyInputs inputs,
    PodDialer dialer,
    ConnectionDrain drain,
    LocalPods pods)
{
    /// <summary>
    /// HTTP/2 windows of the tunnels, both roles: 1 MiB per stream, 4 MiB per connection (the HTTP/2 layer's
    /// defaults are 4 and 16 MiB). The windows bound the bytes in flight, each held in a pooled 16 KiB segment until
    /// the other side reads it; with 4 MiB a single bulk stream kept ~250 segments alive, more than the shared pool
    /// keeps, so they were allocated anew, survived gen0 and grew the heap (peak RSS 130 -> 89 MB under iperf3,
    /// same MB/s: a node-to-node round trip is far below window / rate).
    /// </summary>
    private readonly ILogger _logger = loggers.CreateLogger<MeshHost>();

    public async Task<int> RunAsync(CancellationToken stop)
    {
        MeshHostLog.Starting(_logger, options.Node, options.CniSocket, options.ControlPlane, options.RootCertFile, options.TcMode, Environment.ProcessId);
        if (!StartChecks.Pass(_logger))
        {
            return 1;
        }
        var store = inputs.State;
        // The bundle first (the handlers run before the state is swapped in): a state whose workloads carry certificates
        // of a new root arrives with that root.
        discovery.StateChanged += s => anchors.Offer(s.TrustBundle, identities.LiveCertificates(), TimeProvider.System.GetUtcNow());
        _ = new ProcessMetrics(registry);
        var limits = options.Limits;
        var budget = inputs.Budget;
        var fdLimit = FdLimit.Get().Soft;
        using var trim = new MemoryTrim(() => budget.NodeConnections);
        if (budget.NodeLimit < ProxyLimits.LowNodeLimit && budget.NodeLimit < limits.MaxConnections)
        {
            LimitsLog.LowFdLimit(_logger, fdLimit, budget.NodeLimit);
        }
        LimitsLog.Effective(_logger, fdLimit, budget.NodeLimit, limits.MaxConnectionsPerPod, limits.MaxConnectionsPerPeer, limits.MaxStreamsPerConnection,
            limits.MaxHandshakes, limits.ConnectTimeout, limits.HandshakeTimeout, limits.ConnectionIdleTimeout, limits.StreamIdleTimeout);

        // Capture first, then what reads it: the map outlives the proxy's accept loops, which outlive the enroller's hold.
        using var capture = LoadCapture();
        if (capture is null)
        {
            return 1;
        }
        using var proxy = new MeshProxy(inputs, new OriginalDestinations(capture), dialer, drain);
        using var enroller = new PodEnroller(capture, proxy, loggers.CreateLogger<PodEnroller>());
        var reconciler = new PodReconciler(pods, store, enroller, identities.SetLocalIdentities, loggers.CreateLogger<PodReconciler>());
        try
        {
            // Moves the pinned pods' links to the loaded programs: no moment uncaptured.
            reconciler.Start();
        }
        catch (RedirectionException e)
        {
            MeshHostLog.StartFailed(_logger, e.Message);
            return 1;
        }

        var enrollmentFile = new NamespaceEnrollmentFile(options.CniSocket, options.Node);
        discovery.StateChanged += enrollmentFile.Update;
        await using var nodeAgent = StartNodeAgent(store, pods);
        if (nodeAgent is null)
        {
            return 1;
        }
        using var finderStop = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var finder = new RunningPodFinder(options.Node, options.CgroupRoot, store, pods, loggers.CreateLogger<RunningPodFinder>()).RunAsync(finderStop.Token);
        using var discoveryStop = new CancellationTokenSource();
        var discoveryLoop = discovery.RunAsync(discoveryStop.Token);

        // Serve (and first take over the listeners and ports of a running ztunnel) once there is a mesh state to plan with.
        await FirstStateAsync(store, stop).ConfigureAwait(false);
        if (!stop.IsCancellationRequested)
        {
            enroller.AddHandedOver(await ListenerHandoff.TakeOverAsync(options.HandoffSocket, _logger).ConfigureAwait(false));
        }
        // Ready once the first mesh state has been carried out: every pod it captures has its listeners.
        var telemetry = await StartTelemetryAsync(registry, () => reconciler.FirstPass.IsCompleted, stop).ConfigureAwait(false);
        if (telemetry is null)
        {
            await discoveryStop.CancelAsync().ConfigureAwait(false);
            return 1;
        }
        MeshHostLog.Listening(_logger, options.TelemetryAddress);
        using var reconcileStop = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var reconciling = reconciler.RunAsync(reconcileStop.Token);
        var takenOver = false;
        ListenerHandoff? handoff = null;
        try
        {
            handoff = ListenerHandoff.Serve(options.HandoffSocket, async () =>
            {
                // A successor asks: stop enrolling and accepting, then give it the listeners.
                takenOver = true;
                await reconcileStop.CancelAsync().ConfigureAwait(false);
                await reconciling.ConfigureAwait(false);
                drain.StopAccepting();
                await telemetry.DisposeAsync().ConfigureAwait(false); // the successor binds 15020/15021 next
                return enroller.HandOver();
            }, _logger);
        }
        catch (Exception e) when (e is SocketException or IOException or UnauthorizedAccessException)
        {
            HandoffLog.ServeFailed(_logger, options.HandoffSocket, e.Message);
        }
        await using (handoff)
        {
            await reconciling.ConfigureAwait(false);
            drain.StopAccepting();
            // A successor may still take the listeners (with their queued connections) while this one drains.
            HandoffLog.Draining(_logger, takenOver ? "a new ztunnel took over" : "stopping", drain.Active, options.DrainTimeout);
            var remaining = await drain.DrainAsync(options.DrainTimeout, TimeProvider.System).ConfigureAwait(false);
            HandoffLog.Drained(_logger, remaining);
        }
        await finderStop.CancelAsync().ConfigureAwait(false);
        await finder.ConfigureAwait(false);
        await telemetry.DisposeAsync().ConfigureAwait(false);
        MeshHostLog.Stopping(_logger);
        await discoveryStop.CancelAsync().ConfigureAwait(false);
        try
        {
            await discoveryLoop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        return 0;
    }

    private static async Task FirstStateAsync(IReadOnlySnapshot<MeshState> store, CancellationToken stop)
    {
        while (store.Current.Version == 0 && !stop.IsCancellationRequested)
        {
            var changed = store.Changed;
            if (store.Current.Version != 0)
            {
                break;
            }
            await Task.WhenAny(changed, Task.Delay(Timeout.Infinite, stop)).ConfigureAwait(false);
        }
    }

    /// <summary>Loads the capture programs on the pinned maps; null (with one line saying why) when they cannot be.</summary>
    private LoadedCapture? LoadCapture()
    {
        try
        {
            return LoadedCapture.Load(redirection, loggers.CreateLogger<PodEnroller>());
        }
        catch (RedirectionException e)
        {
            MeshHostLog.StartFailed(_logger, e.Message);
            return null;
        }
    }

    private NodeAgentServer? StartNodeAgent(IReadOnlySnapshot<MeshState> store, LocalPods pods)
    {
        try
        {
            var server = NodeAgentServer.Start(options.CniSocket, new CniPodHandler(options.CgroupRoot, store, pods), loggers.CreateLogger<NodeAgentServer>());
            NodeAgentLog.Listening(_logger, options.CniSocket, options.CgroupRoot);
            return server;
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or IOException or UnauthorizedAccessException)
        {
            var reason = $"cannot listen on the CNI socket {options.CniSocket}: {e.Message}";
            MeshHostLog.StartFailed(_logger, reason);
            return null;
        }
    }

    /// <summary>
    /// Binds 15020 and 15021. While a predecessor still holds them (it lets go when it hands its listeners over) the
    /// bind is retried for up to 10 s; then it is fatal with the reason.
    /// </summary>
    private async Task<Telemetry?> StartTelemetryAsync(MetricsRegistry registry, Func<bool> ready, CancellationToken stop)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            TelemetryServer? metricsServer = null;
            try
            {
                // Two listeners, as Istio has them: 15020 metrics, 15021 readiness.
                metricsServer = TelemetryServer.Start(new IPEndPoint(options.TelemetryAddress, TelemetryRoutes.MetricsPort),
                    [TelemetryRoutes.Metrics(registry)]);
                var readinessServer = TelemetryServer.Start(new IPEndPoint(options.TelemetryAddress, TelemetryRoutes.ReadinessPort),
                    [TelemetryRoutes.Readiness(ready, "waiting for the first mesh state from the control plane and its pods' capture")]);
                return new Telemetry(metricsServer, readinessServer);
            }
            catch (MetricsException e)
            {
                if (metricsServer is not null)
                {
                    await metricsServer.DisposeAsync().ConfigureAwait(false);
                }
                if (DateTime.UtcNow > deadline || stop.IsCancellationRequested)
                {
                    MeshHostLog.StartFailed(_logger, e.Message);
                    return null;
                }
                await Task.Delay(100, CancellationToken.None).ConfigureAwait(false);
            }
        }
    }
}
