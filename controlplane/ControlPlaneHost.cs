using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mesh.ControlPlane.Ca;
using Mesh.ControlPlane.Discovery;
using Mesh.ControlPlane.Hosting;
using Mesh.ControlPlane.Registry;
using Mesh.Core.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Mesh.ControlPlane;

/// <summary>
/// Builds the control plane's web host: Kestrel with the TLS port (HTTP/2 only: CA + discovery, serving
/// certificate from the mesh CA) and the plain monitoring port (HTTP/1.1: /healthz/ready, /metrics,
/// /debug/status).
/// </summary>
public static partial class ControlPlaneHost
{
    public static WebApplication Build(ControlPlaneOptions options, Action<ILoggingBuilder>? logging = null,
        IReadOnlyList<IObjectSource>? sources = null)
    {
        options.ValidateForServe();
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(c =>
        {
            c.SingleLine = true;
            c.TimestampFormat = "HH:mm:ss.fff ";
        });
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        logging?.Invoke(builder.Logging);
        builder.Services.AddControlPlane(options, sources);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.Http2.KeepAlivePingDelay = TimeSpan.FromSeconds(10);
            k.Limits.Http2.KeepAlivePingTimeout = TimeSpan.FromSeconds(20);
            // Hostile input is bounded before it is buffered: no body beyond the largest discovery request (the CA caps
            // its own far lower), and small HTTP/2 receive windows so an unread body costs at most 256 KiB a connection.
            k.Limits.MaxRequestBodySize = DiscoveryRequestCheck.MaxBodyBytes;
            k.Limits.Http2.InitialConnectionWindowSize = 256 * 1024;
            k.Limits.Http2.InitialStreamWindowSize = 128 * 1024;
            k.Listen(options.Listen, lo =>
            {
                lo.Protocols = HttpProtocols.Http2;
                lo.UseHttps(new TlsHandshakeCallbackOptions
                {
                    OnConnection = _ => ValueTask.FromResult(new SslServerAuthenticationOptions
                    {
                        ServerCertificateContext = k.ApplicationServices.GetRequiredService<ServingCertificate>().Current,
                        ApplicationProtocols = [SslApplicationProtocol.Http2],
                        EnabledSslProtocols = SslProtocols.Tls13 | SslProtocols.Tls12,
                    }),
                });
            });
            k.Listen(options.Monitoring, lo => lo.Protocols = HttpProtocols.Http1);
        });

        var app = builder.Build();
        // Created now so every collector is in the exposition from the start.
        app.Services.GetRequiredService<Metrics.ControlPlaneMetrics>();
        app.MapCa();
        app.MapDiscovery();
        app.MapGet("/healthz/ready", (HttpContext ctx, MeshStateHub hub, DiscoveryState discovery) =>
            ctx.Request.IsHttps ? Results.NotFound() : Readiness(hub, discovery));
        app.MapGet("/metrics", (HttpContext ctx, MetricsRegistry registry) =>
            ctx.Request.IsHttps ? Results.NotFound() : Results.Stream(s => registry.CollectAsync(s, ctx.RequestAborted), MetricsRegistry.ContentType));
        app.MapGet("/debug/status", (HttpContext ctx, MeshStateHub hub, DiscoveryState discovery, RootRotator rotation) =>
            ctx.Request.IsHttps ? Results.NotFound() : Results.Text(Status(hub, discovery, rotation.Status, ctx.RequestServices.GetService<Leadership.LeaderElection>())
                .ToJsonString(new JsonSerializerOptions { WriteIndented = true }), "application/json"));

        var lifetime = app.Services.GetRequiredService<IHostApplicationLifetime>();
        lifetime.ApplicationStarted.Register(() =>
        {
            var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Mesh.ControlPlane");
            var ca = app.Services.GetRequiredService<CaStore>();
            var caOptions = app.Services.GetRequiredService<CaOptions>();
            Log.Started(log, options.ToString(), string.Join(", ", BoundAddresses(app)),
                string.Join("; ", ca.Current.TrustBundle.Select(c => c.Subject)), caOptions.TrustBundleFile);
        });
        return app;
    }

    /// <summary>The addresses Kestrel bound (with the real ports when 0 was asked for).</summary>
    public static IReadOnlyList<string> BoundAddresses(WebApplication app) =>
        [.. app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? []];

    /// <summary>The bound port of the TLS (https) or monitoring (http) listener.</summary>
    public static int BoundPort(WebApplication app, bool tls) =>
        BoundAddresses(app).Select(a => new Uri(a.Replace("[::]", "localhost", StringComparison.Ordinal).Replace("0.0.0.0", "localhost", StringComparison.Ordinal)))
            .First(u => u.Scheme == (tls ? "https" : "http")).Port;

    /// <summary>
    /// 200 once every registry source has synced and discovery has a first version: the control plane can serve. A
    /// skipped registry file does not make it unready (it serves everything else, current, and the last good objects
    /// of that file); the body says how many files are skipped and /debug/status names them.
    /// </summary>
    private static IResult Readiness(MeshStateHub hub, DiscoveryState discovery)
    {
        if (hub.Current is not { } snap || discovery.Current is null)
        {
            return Results.Text("not ready: registry not synced yet\n", statusCode: 503);
        }
        var skipped = snap.SkippedFiles;
        return Results.Text(skipped == 0 ? "ready\n" : $"ready; {skipped} registry file(s) skipped, see /debug/status\n");
    }

    private static JsonObject Status(MeshStateHub hub, DiscoveryState discovery, RotationStatus? ca, Leadership.LeaderElection? election)
    {
        var snap = hub.Current;
        return new JsonObject
        {
            ["ready"] = snap is not null,
            // Kubernetes registry only: the holder of the leader Lease and whether it is this replica.
            ["leader"] = election?.Leader,
            ["leading"] = election?.IsLeader,
            ["generation"] = snap?.Generation,
            ["discoveryEpoch"] = discovery.Epoch,
            ["discoveryVersion"] = discovery.Current?.Version,
            ["workloads"] = snap?.State.Workloads.Length,
            ["services"] = snap?.State.Services.Length,
            ["waypoints"] = snap?.State.Waypoints.Length,
            ["policies"] = snap?.State.Policies.Length,
            ["httpRoutes"] = snap?.State.HttpRoutes.Length,
            ["translationErrors"] = new JsonArray([.. (snap?.Errors ?? []).Select(e => (JsonNode)new JsonObject
            {
                ["kind"] = e.Kind, ["namespace"] = e.Namespace, ["name"] = e.Name, ["field"] = e.Field, ["message"] = e.Message,
            })]),
            ["registryFileErrors"] = snap?.SkippedFiles ?? 0,
            ["sourceErrors"] = new JsonArray([.. (snap?.SourceErrors ?? []).Select(e => (JsonNode)new JsonObject
            {
                ["source"] = e.Source, ["file"] = e.File, ["line"] = e.Line > 0 ? e.Line : null, ["column"] = e.Line > 0 ? e.Column : null,
                ["message"] = e.Message,
            })]),
            ["ca"] = ca is null ? null : new JsonObject
            {
                ["rotationPhase"] = ca.Phase.ToString().ToLowerInvariant(),
                ["phaseSince"] = ca.Since,
                ["automaticRotation"] = ca.Automatic,
                ["nextRotationAt"] = ca.NextRotationAt,
                ["oldRootLiveUntil"] = ca.OldLiveUntil,
                ["lastError"] = ca.LastError,
                ["anchors"] = new JsonArray([.. ca.Anchors.Select(a => (JsonNode)new JsonObject
                {
                    ["role"] = a.Role, ["subject"] = a.Subject, ["sha256"] = a.Sha256, ["notBefore"] = a.NotBefore, ["notAfter"] = a.NotAfter,
                })]),
            },
        };
    }

    private static partial class Log
    {
        [LoggerMessage(4000, LogLevel.Information, "controlplane: effective config: {Config}; listening on {Addresses}; trust bundle [{Roots}] written to {BundleFile}")]
        public static partial void Started(ILogger logger, string config, string addresses, string roots, string bundleFile);
    }
}
