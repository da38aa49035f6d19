using System.Collections.Immutable;
using System.Net;
using System.Text.Json.Nodes;
using Mesh.Core;
using Mesh.Core.Model;
using Mesh.Core.Policy;

namespace Mesh.ControlPlane.Translation;

/// <summary>
/// The one translation from Kubernetes-shaped objects (JSON; YAML is converted to the same JSON) to the
/// runtime model. Pure: the same objects give the same state, sorted by key. Every registry (file,
/// Kubernetes) feeds it. A bad object becomes a <see cref="TranslationError"/> and is skipped; an
/// authorization policy that cannot be translated is replaced by a deny-all wherever it applies as written (its
/// selector's workloads and/or its targetRefs' waypoint: fail closed), and the error says where.
/// Kinds other than Namespace, Pod, Service, EndpointSlice, Gateway, HTTPRoute, GRPCRoute and the mesh's
/// AuthorizationPolicy are ignored.
/// </summary>
public static class MeshTranslator
{
    public static TranslationResult Translate(IEnumerable<JsonObject> objects, TranslationOptions? options = null, long version = 0)
    {
        var ctx = new TranslationContext(options ?? TranslationOptions.Default);
        var byKind = new Dictionary<string, List<(ObjectMeta Meta, JsonObject Obj)>>(StringComparer.Ordinal);
        foreach (var obj in objects)
        {
            try
            {
                var meta = ObjectMeta.Read(obj);
                if (!byKind.TryGetValue(meta.Kind, out var list))
                {
                    byKind[meta.Kind] = list = [];
                }
                list.Add((meta, obj));
            }
            catch (TranslationException e)
            {
                var (kind, ns, name) = ObjectMeta.Describe(obj);
                ctx.Errors.Add(new TranslationError(kind, ns, name, e.Field, e.Message));
            }
        }
        List<(ObjectMeta Meta, JsonObject Obj)> Of(string kind) =>
            byKind.TryGetValue(kind, out var l) ? [.. l.OrderBy(x => x.Meta.Namespace, StringComparer.Ordinal).ThenBy(x => x.Meta.Name, StringComparer.Ordinal)] : [];

        foreach (var (meta, _) in Of("Namespace"))
        {
            ctx.NamespaceLabels[meta.Name] = meta.Labels;
        }
        foreach (var (meta, obj) in Of("Pod"))
        {
            ctx.Try(meta, () =>
            {
                if (PodTranslator.Translate(meta, obj, ctx) is { } w)
                {
                    ctx.Pods.Add((w, obj));
                }
            });
        }
        var workloads = ctx.Pods.Select(p => p.Workload).GroupBy(w => w.Uid).Select(g => g.First()).ToDictionary(w => w.Uid, StringComparer.Ordinal);
        var byName = new Dictionary<NamespacedName, Workload>();
        var byAddress = new Dictionary<IPAddress, Workload>();
        foreach (var w in workloads.Values)
        {
            byName[new NamespacedName(w.Namespace, w.Name)] = w;
            foreach (var a in w.Addresses)
            {
                byAddress[a] = w;
            }
        }

        var waypoints = new List<Waypoint>();
        foreach (var (meta, obj) in Of("Gateway").Where(g => g.Meta.Group == "gateway.networking.k8s.io"))
        {
            ctx.Try(meta, () =>
            {
                if (GatewayTranslator.Translate(meta, obj, ctx) is { } wp)
                {
                    waypoints.Add(wp);
                }
            });
        }

        UncaptureWaypointPods(workloads, waypoints);

        var slices = new Dictionary<NamespacedName, List<string>>();
        foreach (var (meta, obj) in Of("EndpointSlice"))
        {
            ctx.Try(meta, () =>
            {
                if (EndpointSliceTranslator.Translate(meta, obj, workloads, byName, byAddress) is { } r)
                {
                    if (!slices.TryGetValue(r.Service, out var uids))
                    {
                        slices[r.Service] = uids = [];
                    }
                    uids.AddRange(r.Uids.Where(u => !uids.Contains(u)));
                }
            });
        }

        var services = new List<Service>();
        foreach (var (meta, obj) in Of("Service"))
        {
            ctx.Try(meta, () =>
            {
                if (ServiceTranslator.Translate(meta, obj, ctx, slices) is { } s)
                {
                    services.Add(s);
                }
            });
        }

        var routes = new List<HttpRoute>();
        foreach (var (meta, obj) in Of(HttpRoute.HttpKind).Where(r => r.Meta.Group == "gateway.networking.k8s.io"))
        {
            ctx.Try(meta, () => routes.Add(HttpRouteTranslator.Translate(meta, obj)));
        }
        foreach (var (meta, obj) in Of(HttpRoute.GrpcKind).Where(r => r.Meta.Group == "gateway.networking.k8s.io"))
        {
            ctx.Try(meta, () => routes.Add(GrpcRouteTranslator.Translate(meta, obj)));
        }
        RouteRefChecks.Report(ctx, routes, services);

        var policies = new List<AuthorizationPolicy>();
        foreach (var (meta, obj) in Of("AuthorizationPolicy").Where(p => p.Meta.Group == MeshLabels.SecurityApiGroup))
        {
            var apiVersion = meta.ApiVersion[(meta.Group.Length + 1)..];
            if (Array.IndexOf(PolicyTranslator.Versions, apiVersion) < 0)
            {
                var closed = PolicyTranslator.FailClosed(meta, obj);
                ctx.Error(meta, "apiVersion", $"version '{apiVersion}' is not served (use {MeshLabels.SecurityApiGroup}/v1); {PolicyTranslator.DescribeFailClosed(closed)}");
                policies.Add(closed);
                continue;
            }
            if (ctx.Try(meta, () => policies.Add(PolicyTranslator.Translate(meta, obj))))
            {
                ReportL4Enforcement(ctx, meta, policies[^1]);
            }
            else
            {
                var closed = PolicyTranslator.FailClosed(meta, obj);
                var last = ctx.Errors[^1];
                ctx.Errors[^1] = last with { Message = $"{last.Message}; {PolicyTranslator.DescribeFailClosed(closed)} until fixed" };
                policies.Add(closed);
            }
        }

        WarnMissingWaypoints(ctx, workloads.Values, services, waypoints);
        var state = MeshState.Build(version, workloads.Values.OrderBy(w => w.Uid, StringComparer.Ordinal), services, waypoints, policies)
            with { HttpRoutes = [.. routes], Namespaces = [.. Namespaces(ctx, workloads.Values)] };
        return new TranslationResult(state, [.. ctx.Errors]);
    }

    /// <summary>
    /// Every declared namespace, plus those that only appear as a pod's namespace, with their enrollment (the same
    /// label test as a pod's, without the pod's own labels).
    /// </summary>
    private static IEnumerable<MeshNamespace> Namespaces(TranslationContext ctx, IEnumerable<Workload> workloads) =>
        ctx.NamespaceLabels.Keys.Concat(workloads.Select(w => w.Namespace)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)
            .Select(n => new MeshNamespace { Name = n, Captured = PodTranslator.IsCaptured(ImmutableDictionary<string, string>.Empty, ctx.LabelsOf(n)) });

    /// <summary>
    /// What a policy reports is what is enforced: a policy without targetRefs is ztunnel's, and ztunnel cannot see methods
    /// or paths. Such rules are kept (Istio's conversion for ztunnel: never matching in ALLOW, their L4 fields alone in
    /// DENY) and the status says so.
    /// </summary>
    private static void ReportL4Enforcement(TranslationContext ctx, ObjectMeta meta, AuthorizationPolicy policy)
    {
        if (!policy.TargetRefs.IsEmpty || !policy.Rules.Any(PolicyMatcher.HasL7Fields))
        {
            return;
        }
        ctx.Error(meta, "spec.rules", policy.Action == PolicyAction.Allow
            ? "methods/paths cannot be checked by ztunnel (the policy has no targetRefs): a rule with them allows nothing; give the policy targetRefs to enforce it at a waypoint"
            : "methods/paths cannot be checked by ztunnel (the policy has no targetRefs): a rule with them denies on its other fields alone, whatever the method or path; give the policy targetRefs to enforce it at a waypoint");
    }

    /// <summary>
    /// A waypoint's own pods are never captured (Istio labels them out of ambient): they terminate HBONE on their
    /// own 15008 and open HBONE to the endpoints themselves, so ztunnel must neither take their inbound nor wrap
    /// their outbound.
    /// </summary>
    private static void UncaptureWaypointPods(Dictionary<string, Workload> workloads, List<Waypoint> waypoints)
    {
        if (waypoints.Count == 0)
        {
            return;
        }
        var keys = waypoints.Select(w => w.Key).ToHashSet();
        foreach (var w in workloads.Values.ToList())
        {
            if (w.Captured && w.Labels.TryGetValue(GatewayTranslator.GatewayNameLabel, out var gw) && keys.Contains(new NamespacedName(w.Namespace, gw)))
            {
                workloads[w.Uid] = w with { Captured = false };
            }
        }
    }

    private static void WarnMissingWaypoints(TranslationContext ctx, IEnumerable<Workload> workloads, List<Service> services, List<Waypoint> waypoints)
    {
        var known = waypoints.Select(w => w.Key).ToHashSet();
        foreach (var s in services.Where(s => s.Waypoint is { } wp && !known.Contains(wp)))
        {
            ctx.Errors.Add(new TranslationError("Service", s.Namespace, s.Name, $"metadata.labels[{MeshLabels.UseWaypoint}]",
                $"waypoint '{s.Waypoint}' does not exist (no Gateway of class {MeshLabels.WaypointGatewayClass}); traffic to this service fails until it does"));
        }
        foreach (var w in workloads.Where(w => w.Waypoint is { } wp && !known.Contains(wp)))
        {
            ctx.Errors.Add(new TranslationError("Pod", w.Namespace, w.Name, $"metadata.labels[{MeshLabels.UseWaypoint}]",
                $"waypoint '{w.Waypoint}' does not exist (no Gateway of class {MeshLabels.WaypointGatewayClass}); traffic to this pod fails until it does"));
        }
    }
}
