using Mesh.Core.Discovery;
using Mesh.Core.Hbone;
using Mesh.Core.Hbone.Http2;
using Mesh.Core.Identity;
using Mesh.Core.Metrics;
using Mesh.Native.Net;
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
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mesh.Ztunnel.Host;

public static class ZtunnelServiceCollectionExtensions
{
    /// <summary>
    /// Registers ztunnel with a control plane: the control plane's clients (discovery, CA) and the trust anchors, the
    /// mesh state (the discovery client's), the workload identities, metrics, the connection limits, and what the in-pod listeners share
    /// (<see cref="ProxyInputs"/>: HBONE client and server, pod sockets). None of them does I/O when constructed.
    /// <see cref="MeshHost"/> runs them: it checks the machine, loads capture and builds on it what needs it (the
    /// original-destination map, the proxy, the pod enroller), in that order.
    /// </summary>
    public static IServiceCollection AddZtunnel(this IServiceCollection services, ZtunnelOptions options)
    {
        var limits = options.Limits;
        services.AddSingleton(options);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(RedirectionFor(options));

        // The file bootstraps the first connection to the control plane; from then on peers verify against the bundle it publishes.
        services.AddSingleton(sp => new TrustAnchors(new TrustBundleFile(options.RootCertFile), sp.GetRequiredService<ILogger<TrustAnchors>>()));
        services.AddSingleton(sp => new ControlPlaneClientOptions
        {
            Address = options.ControlPlane,
            TrustBundleFile = options.RootCertFile,
            Anchors = sp.GetRequiredService<TrustAnchors>(),
            Node = options.Node,
            TokenFile = options.TokenFile,
        });
        services.AddSingleton(sp => new DiscoveryClient(new DiscoveryClientOptions { ControlPlane = sp.GetRequiredService<ControlPlaneClientOptions>() },
            sp.GetRequiredService<ILogger<DiscoveryClient>>()));
        services.AddSingleton(sp => new CaClient(sp.GetRequiredService<ControlPlaneClientOptions>()));
        services.AddSingleton(sp => new IdentityManager(sp.GetRequiredService<CaClient>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<IdentityManager>>()));
        services.AddSingleton<IWorkloadCredentials>(sp => new WorkloadCredentials(sp.GetRequiredService<IdentityManager>(), sp.GetRequiredService<TrustAnchors>()));
        // The discovery client is the one store of the mesh state; everything else reads it.
        services.AddSingleton(sp => sp.GetRequiredService<DiscoveryClient>().State);

        services.AddSingleton(_ => new MetricsRegistry());
        services.AddSingleton(sp => new TcpMetrics(sp.GetRequiredService<MetricsRegistry>()));
        services.AddSingleton(sp => new ConnectionBudget(limits, limits.NodeLimit(FdLimit.RaiseToHard())));
        services.AddSingleton(sp => new RefusalReporter(sp.GetRequiredService<TcpMetrics>(), sp.GetRequiredService<ILogger<ConnectionBudget>>()));
        services.AddSingleton(_ => new IdleTracker(limits.StreamIdleTimeout));
        services.AddSingleton(sp => new OutstandingConnections(sp.GetRequiredService<MetricsRegistry>()));

        services.AddSingleton(sp => new PodSocketFactory(sp.GetRequiredService<RedirectionOptions>()));
        services.AddSingleton(sp => new PodDialer(sp.GetRequiredService<PodSocketFactory>()));
        services.AddSingleton(sp => new HboneClient(HboneLimits.Client(limits, Http2Options.Tunnel, sp.GetRequiredService<PodDialer>().ConnectFromPodAsync)));
        services.AddSingleton(sp => new HboneServer(HboneLimits.Server(limits, Http2Options.Tunnel, sp.GetRequiredService<RefusalReporter>()),
            sp.GetRequiredService<ILogger<HboneServer>>()));
        services.AddSingleton(sp =>
        {
            var proxyLogger = sp.GetRequiredService<ILogger<MeshProxy>>();
            return new ConnectionDrain(e => MeshLog.HandlerFailed(proxyLogger, e));
        });
        services.AddSingleton(sp => new ProxyInputs(sp.GetRequiredService<IReadOnlySnapshot<MeshState>>(), sp.GetRequiredService<PodSocketFactory>(),
            sp.GetRequiredService<IWorkloadCredentials>(), sp.GetRequiredService<HboneClient>(), sp.GetRequiredService<HboneServer>(),
            sp.GetRequiredService<TcpMetrics>(), MtlsMode.Permissive, sp.GetRequiredService<ILogger<MeshProxy>>(), sp.GetRequiredService<ConnectionBudget>(),
            sp.GetRequiredService<RefusalReporter>(), sp.GetRequiredService<IdleTracker>(), sp.GetRequiredService<OutstandingConnections>()));
        services.AddSingleton(_ => new LocalPods());
        services.AddSingleton(sp => new MeshHost(options, sp.GetRequiredService<RedirectionOptions>(), sp.GetRequiredService<ILoggerFactory>(), sp.GetRequiredService<DiscoveryClient>(),
            sp.GetRequiredService<TrustAnchors>(), sp.GetRequiredService<IdentityManager>(), sp.GetRequiredService<MetricsRegistry>(),
            sp.GetRequiredService<ProxyInputs>(), sp.GetRequiredService<PodDialer>(), sp.GetRequiredService<ConnectionDrain>(),
            sp.GetRequiredService<LocalPods>()));
        return services;
    }

    private static RedirectionOptions RedirectionFor(ZtunnelOptions options)
    {
        var redirection = new RedirectionOptions { TcMode = options.TcMode, Instance = options.Instance };
        return options.BpfDirectory is null ? redirection : redirection with { BpfDirectory = options.BpfDirectory };
    }
}
