using System.Net;
using Mesh.Core.Discovery;
using Mesh.Core.Hbone;
using Mesh.Core.Hbone.Http2;
using Mesh.Core.Identity;
using Mesh.Core.Metrics;
using Mesh.Waypoint.Forwarding;
using Mesh.Waypoint.Identity;
using Mesh.Waypoint.Inbound;
using Mesh.Waypoint.Metrics;
using Mesh.Waypoint.Routing;
using Mesh.Waypoint.Tracing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Mesh.Waypoint.Host;

/// <summary>
/// Wires the waypoint: identity from the CA, a full-view discovery stream into the route table, Kestrel for HBONE in
/// and HTTP/1.1 inside the tunnels, the upstream client (HBONE out), metrics on 15020 and readiness on 15021 (ready
/// once it has a certificate and a first mesh state). Runs until <paramref name="stop"/>.
/// </summary>
public sealed partial class WaypointHost(WaypointOptions options)
{
    /// <summary>Runs until SIGTERM/SIGINT (the generic host's console lifetime); 1 when a port cannot be had.</summary>
    public async Task<int> RunAsync()
    {
        using var loggers = LoggerFactory.Create(ConfigureLogging);
        // The file bootstraps the first connection to the control plane; from then on peers verify against the bundle it publishes.
        var anchors = new TrustAnchors(new TrustBundleFile(options.RootCertFile), loggers.CreateLogger<TrustAnchors>());
        var controlPlane = new ControlPlaneClientOptions
        {
            Address = options.ControlPlane,
            TrustBundleFile = options.RootCertFile,
            Anchors = anchors,
            Node = options.Node,
            TokenFile = options.TokenFile,
        };
        using var ca = new CaClient(controlPlane);
        var identity = new WaypointIdentity(ca, options.Identity, TimeProvider.System, loggers.CreateLogger<WaypointIdentity>(), anchors);
        using var discovery = new DiscoveryClient(new DiscoveryClientOptions { ControlPlane = controlPlane, FullView = true },
            loggers.CreateLogger<DiscoveryClient>());
        discovery.StateChanged += s => anchors.Offer(s.TrustBundle, identity.LiveCertificates(), TimeProvider.System.GetUtcNow());
        var store = new RouteTableStore(options.GatewayKey);
        discovery.StateChanged += store.Update;
        await using var hbone = new HboneClient(new HboneClientOptions { Http2 = Http2Options.Tunnel });
        var metrics = new WaypointMetrics();
        await using var app = CreateApp(options, identity, store, hbone, metrics, ConfigureLogging, services =>
        {
            services.AddHostedService(_ => new WaypointLoops(identity, discovery));
            services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));
        });
        var log = app.Services.GetRequiredService<ILogger<WaypointHost>>();
        Log.Starting(log, options.Gateway, options.Namespace, options.Identity, options.ControlPlane, options.Node, Environment.ProcessId);
        using var tracing = TraceExport.Start(options);
        if (options.OtlpEndpoint is { } otlp)
        {
            Log.Tracing(log, TraceExport.TracesUri(otlp), options.TraceSampling);
        }

        TelemetryServer metricsServer, readinessServer;
        try
        {
            metricsServer = TelemetryServer.Start(new IPEndPoint(options.ListenAddress, TelemetryRoutes.MetricsPort),
                [TelemetryRoutes.Metrics(metrics.Registry)]);
            readinessServer = TelemetryServer.Start(new IPEndPoint(options.ListenAddress, TelemetryRoutes.ReadinessPort),
                [TelemetryRoutes.Readiness(() => identity.Current is not null && store.Synced, "waiting for a certificate and the first mesh state")]);
        }
        catch (MetricsException e)
        {
            // TelemetryServer.Start reports a taken port as a MetricsException whose message names it and says what to do.
            Log.StartFailed(log, e.Message);
            return 1;
        }
        await using (metricsServer)
        await using (readinessServer)
        {
            app.Lifetime.ApplicationStarted.Register(() => Log.Listening(log, options.ListenAddress, options.HbonePort));
            try
            {
                await app.RunAsync();
            }
            catch (IOException e)
            {
                Log.StartFailed(log, $"cannot listen on {options.ListenAddress}:{options.HbonePort}: {e.Message}");
                return 1;
            }
        }
        return 0;
    }

    /// <summary>
    /// The Kestrel application of the data path (HBONE in, HTTP inside tunnels, forwarding out), not started. The
    /// caller owns the identity loop, the route table updates and the HBONE client; tests build it on loopback.
    /// </summary>
    public static WebApplication CreateApp(WaypointOptions options, WaypointIdentity identity, RouteTableStore routes, HboneClient hbone,
        WaypointMetrics metrics, Action<ILoggingBuilder> logging, Action<IServiceCollection>? services = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        logging(builder.Logging);
        builder.WebHost.UseKestrelHttpsConfiguration();
        var tunnels = new TunnelListenerFactory();
        builder.Services.AddSingleton<IConnectionListenerFactory>(tunnels);
        builder.Services.AddSingleton(tunnels);
        builder.Services.AddSingleton(identity);
        builder.Services.AddSingleton(routes);
        builder.Services.AddSingleton(hbone);
        builder.Services.AddSingleton(metrics);
        builder.Services.AddHttpForwarder();
        builder.Services.AddSingleton<RetryBudgets>();
        builder.Services.AddSingleton<EndpointEjectors>();
        builder.Services.AddSingleton<CircuitBreaking>();
        builder.Services.AddSingleton<PeakEwmaBalancer>();
        builder.Services.AddSingleton<BackendConnector>();
        builder.Services.AddSingleton(sp => UpstreamClient.Create(sp.GetRequiredService<BackendConnector>()));
        builder.Services.AddSingleton<HboneConnectHandler>();
        builder.Services.AddSingleton<MirrorSender>();
        builder.Services.AddSingleton<RequestForwarder>();
        builder.WebHost.ConfigureKestrel(kestrel => KestrelSetup.Configure(kestrel, options, identity));
        services?.Invoke(builder.Services);
        var app = builder.Build();
        var connect = app.Services.GetRequiredService<HboneConnectHandler>();
        var forwarder = app.Services.GetRequiredService<RequestForwarder>();
        app.Run(ctx => ctx.Features.Get<TunnelFeature>() is { } tunnel ? forwarder.HandleAsync(ctx, tunnel) : connect.HandleAsync(ctx));
        return app;
    }

    /// <summary>Single-line console logs at Information; <c>Logging__LogLevel__*</c> environment variables override the levels.</summary>
    private static void ConfigureLogging(ILoggingBuilder logging)
    {
        logging.SetMinimumLevel(LogLevel.Information);
        logging.AddConfiguration(LoggingSettings.Value);
        logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        // YARP logs every request (Information) and every failure (Warning); the forwarder reports each failure once itself.
        logging.AddFilter("Yarp", LogLevel.Error);
        logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
        });
    }

    private static readonly Lazy<IConfigurationSection> LoggingSettings = new(() => new ConfigurationBuilder().AddEnvironmentVariables().Build().GetSection("Logging"));

    private static partial class Log
    {
        [LoggerMessage(6300, LogLevel.Information, "waypoint {Gateway} in {Namespace} as {Identity}: control plane {ControlPlane}, node {Node}, pid {Pid}")]
        public static partial void Starting(ILogger logger, string gateway, string @namespace, SpiffeId identity, Uri controlPlane, string node, int pid);

        [LoggerMessage(6301, LogLevel.Information, "waypoint listening: HBONE {Address}:{Port}, metrics 15020, readiness 15021")]
        public static partial void Listening(ILogger logger, IPAddress address, int port);

        [LoggerMessage(6302, LogLevel.Error, "waypoint cannot start: {Reason}")]
        public static partial void StartFailed(ILogger logger, string reason);

        [LoggerMessage(6303, LogLevel.Information, "tracing: spans to {Endpoint} (OTLP/HTTP protobuf), new traces sampled at {Sampling}")]
        public static partial void Tracing(ILogger logger, Uri endpoint, double sampling);
    }
}
