using System.Net;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Mesh.ControlPlane.Kubernetes;
using Mesh.ControlPlane.Leadership;
using Mesh.ControlPlane.Translation;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mesh.ControlPlane.Waypoints;

/// <summary>
/// The waypoint controller (runs on the leader only): watches Gateways, Services and Deployments; for each
/// Gateway of class mesh-waypoint it server-side applies the objects <see cref="WaypointPlan"/> computes
/// when they are missing or have drifted, and writes the Gateway's status (<see cref="WaypointStatus"/>).
/// Every Gateway is checked again every <see cref="ResyncPeriod"/> (the ServiceAccount and ConfigMap are not
/// watched: a resync re-applies them, and the CA's trust bundle reaches the ConfigMap that way). A Gateway that
/// leaves the class has its objects deleted; a deleted Gateway's objects go with it (ownerReferences).
/// </summary>
public sealed class WaypointController(
    IKubernetes client,
    WaypointSettings settings,
    Func<string> trustBundlePem,
    TimeProvider? time = null,
    ILoggerFactory? loggerFactory = null,
    KubeInformerOptions? informerOptions = null) : ILeaderTask
{
    public const string FieldManager = "mesh-waypoint-controller";

    /// <summary>What the controller lists and watches.</summary>
    public static IReadOnlyList<KubeResource> Watched { get; } = [KubeResource.Gateways, KubeResource.Services, KubeResource.Deployments];

    /// <summary>What it creates, patches (server-side apply) and deletes; the Gateway's status it patches.</summary>
    public static IReadOnlyList<KubeResource> Owned { get; } =
        [KubeResource.ServiceAccounts, KubeResource.ConfigMaps, KubeResource.Deployments, KubeResource.Services];

    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly ILogger _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<WaypointController>();

    public string Name => "waypoint controller";

    public TimeSpan ResyncPeriod { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How soon a Gateway whose reconcile failed is tried again.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(5);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var source = new KubeObjectSource(client, Watched, informerOptions, _time, loggerFactory);
        var gateways = source.Informers[0].Cache;
        var services = source.Informers[1].Cache;
        var deployments = source.Informers[2].Cache;
        var run = source.RunAsync(cancellationToken);
        var dirty = new HashSet<string>(StringComparer.Ordinal);
        var nextResync = _time.GetUtcNow();
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                while (source.Events.TryRead(out var ev))
                {
                    if (GatewayKeyOf(ev) is { } key)
                    {
                        dirty.Add(key);
                    }
                }
                if (source.HasSynced)
                {
                    if (_time.GetUtcNow() >= nextResync)
                    {
                        dirty.UnionWith(gateways.Snapshot().Select(KubeObjectCache.KeyOf));
                        nextResync = _time.GetUtcNow() + ResyncPeriod;
                    }
                    foreach (var key in dirty.ToList())
                    {
                        if (await ReconcileAsync(key, gateways.Get(key), services.Get(key), deployments.Get(key), cancellationToken))
                        {
                            dirty.Remove(key);
                        }
                        else
                        {
                            var retry = _time.GetUtcNow() + RetryDelay;
                            nextResync = retry < nextResync ? retry : nextResync;
                        }
                    }
                }
                using var wake = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                var wait = nextResync - _time.GetUtcNow();
                wake.CancelAfter(wait > TimeSpan.Zero ? wait : TimeSpan.Zero);
                try
                {
                    if (!await source.Events.WaitToReadAsync(wake.Token))
                    {
                        break;
                    }
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    // Time to resync.
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            await run;
        }
    }

    /// <summary>The Gateway ("ns/name") an event concerns: the Gateway itself, or the one a waypoint object is labelled with.</summary>
    public static string? GatewayKeyOf(KubeEvent ev)
    {
        if (ev.Type == KubeEventType.Synced)
        {
            return null;
        }
        if (ev.Kind == KubeResource.Gateways.Kind)
        {
            return KubeObjectCache.KeyOf(ev.Object);
        }
        var meta = ev.Object["metadata"] as JsonObject;
        var labels = meta?["labels"] as JsonObject;
        return (string?)labels?[WaypointPlan.ManagedByLabel] == WaypointPlan.ManagedBy && (string?)labels?[GatewayTranslator.GatewayNameLabel] is { } gw
            ? $"{(string?)meta!["namespace"]}/{gw}"
            : null;
    }

    /// <summary>Brings one Gateway's objects and status in line; false when an API call failed (it is tried again).</summary>
    private async Task<bool> ReconcileAsync(string key, JsonObject? gateway, JsonObject? service, JsonObject? deployment, CancellationToken cancellationToken)
    {
        try
        {
            if (gateway is null)
            {
                return true; // deleted: the garbage collector removes what it owned
            }
            if (!WaypointPlan.IsWaypoint(gateway))
            {
                await RemoveAsync(key, gateway, service, deployment, cancellationToken);
                return true;
            }
            var desired = WaypointPlan.Desired(gateway, settings, trustBundlePem());
            await ApplyAsync(KubeResource.ServiceAccounts, desired.ServiceAccount, null, cancellationToken);
            await ApplyAsync(KubeResource.ConfigMaps, desired.ConfigMap, null, cancellationToken);
            await ApplyAsync(KubeResource.Deployments, desired.Deployment, deployment, cancellationToken);
            service = await ApplyAsync(KubeResource.Services, desired.Service, service, cancellationToken);
            var status = WaypointStatus.Desired(gateway, service, _time.GetUtcNow());
            if (!WaypointStatus.IsCurrent(gateway, status))
            {
                var (ns, name) = Split(key);
                await client.CustomObjects.PatchNamespacedCustomObjectStatusWithHttpMessagesAsync<JsonObject>(
                    new V1Patch(new JsonObject { ["status"] = status }, V1Patch.PatchType.MergePatch),
                    KubeResource.Gateways.Group, KubeResource.Gateways.Version, ns, KubeResource.Gateways.Plural, name,
                    fieldManager: FieldManager, cancellationToken: cancellationToken);
                WaypointLog.StatusWritten(_logger, key, Summary(status));
            }
            return true;
        }
        catch (HttpOperationException e)
        {
            WaypointLog.ReconcileFailed(_logger, key, (int?)e.Response?.StatusCode ?? 0, KubeConfigLoader.FirstLine(e.Response?.Content ?? e.Message));
            return false;
        }
        catch (HttpRequestException e)
        {
            WaypointLog.ReconcileFailed(_logger, key, 0, e.Message);
            return false;
        }
    }

    /// <summary>Server-side applies <paramref name="desired"/> unless <paramref name="live"/> already covers it; returns the object as it is now.</summary>
    private async Task<JsonObject?> ApplyAsync(KubeResource resource, JsonObject desired, JsonObject? live, CancellationToken cancellationToken)
    {
        if (live is not null && WaypointPlan.Covers(live, desired))
        {
            return live;
        }
        var meta = (JsonObject)desired["metadata"]!;
        using var response = await client.CustomObjects.PatchNamespacedCustomObjectWithHttpMessagesAsync<JsonObject>(
            new V1Patch(desired, V1Patch.PatchType.ApplyPatch), resource.Group, resource.Version, (string)meta["namespace"]!, resource.Plural,
            (string)meta["name"]!, fieldManager: FieldManager, force: true, cancellationToken: cancellationToken);
        if (live is not null || (resource != KubeResource.ServiceAccounts && resource != KubeResource.ConfigMaps))
        {
            WaypointLog.Applied(_logger, resource.Kind, $"{meta["namespace"]}/{meta["name"]}", live is null ? "missing" : "drifted");
        }
        return response.Body;
    }

    /// <summary>The Gateway left the mesh-waypoint class: delete what this controller made for it (only objects it owns).</summary>
    private async Task RemoveAsync(string key, JsonObject gateway, JsonObject? service, JsonObject? deployment, CancellationToken cancellationToken)
    {
        var uid = (string?)gateway["metadata"]?["uid"];
        if (!OwnedBy(service, uid) && !OwnedBy(deployment, uid))
        {
            return;
        }
        var (ns, name) = Split(key);
        foreach (var (resource, objectName) in Owned.Select(r => (r, r == KubeResource.ConfigMaps ? WaypointPlan.RootCertConfigMap(name) : name)))
        {
            try
            {
                await client.CustomObjects.DeleteNamespacedCustomObjectWithHttpMessagesAsync(resource.Group, resource.Version, ns, resource.Plural, objectName,
                    cancellationToken: cancellationToken);
            }
            catch (HttpOperationException e) when (e.Response?.StatusCode == HttpStatusCode.NotFound)
            {
            }
        }
        WaypointLog.Removed(_logger, key, (string?)gateway["spec"]?["gatewayClassName"] ?? "");
    }

    private static bool OwnedBy(JsonObject? obj, string? uid) =>
        uid is not null && ((obj?["metadata"] as JsonObject)?["ownerReferences"] as JsonArray ?? []).OfType<JsonObject>().Any(o => (string?)o["uid"] == uid);

    private static (string Namespace, string Name) Split(string key) => key.IndexOf('/') is var i and > 0 ? (key[..i], key[(i + 1)..]) : ("", key);

    private static string Summary(JsonObject status) =>
        string.Join(", ", status["conditions"]!.AsArray().OfType<JsonObject>().Select(c => $"{c["type"]}={c["status"]} ({c["reason"]})")) +
        $"; addresses [{string.Join(", ", status["addresses"]!.AsArray().Select(a => (string?)a?["value"]))}]";
}
