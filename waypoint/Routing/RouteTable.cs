using System.Collections.Frozen;
using System.Collections.Immutable;
using Mesh.Core.Model;

namespace Mesh.Waypoint.Routing;

/// <summary>
/// The waypoint's view of one <see cref="MeshState"/>, built once per state (immutable, swapped whole): services by
/// name, the HTTPRoutes attached to each service (GAMMA: parentRef kind Service) and those attached to this
/// waypoint's Gateway. Routes are ordered by namespace/name, which is the tie-break between equal matches.
/// </summary>
public sealed class RouteTable
{
    private RouteTable(MeshState state, NamespacedName waypoint, FrozenDictionary<NamespacedName, Service> services,
        FrozenDictionary<NamespacedName, ImmutableArray<(HttpRoute Route, HttpRouteParent Parent)>> byService,
        ImmutableArray<HttpRoute> gatewayRoutes)
    {
        State = state;
        Policies = [.. state.Policies.Where(p => !p.TargetRefs.IsDefaultOrEmpty)];
        Waypoint = waypoint;
        Services = services;
        RoutesByService = byService;
        GatewayRoutes = gatewayRoutes;
    }

    public MeshState State { get; }

    /// <summary>This waypoint's Gateway.</summary>
    public NamespacedName Waypoint { get; }

    public FrozenDictionary<NamespacedName, Service> Services { get; }

    /// <summary>The authorization policies with targetRefs (the ones waypoints enforce).</summary>
    public ImmutableArray<AuthorizationPolicy> Policies { get; }

    public FrozenDictionary<NamespacedName, ImmutableArray<(HttpRoute Route, HttpRouteParent Parent)>> RoutesByService { get; }

    /// <summary>Routes whose parentRef is this waypoint's Gateway: they apply to every service using the waypoint.</summary>
    public ImmutableArray<HttpRoute> GatewayRoutes { get; }

    public static RouteTable Build(MeshState state, NamespacedName waypoint)
    {
        var services = new Dictionary<NamespacedName, Service>();
        foreach (var s in state.Services)
        {
            services[s.Key] = s;
        }
        var byService = new Dictionary<NamespacedName, List<(HttpRoute, HttpRouteParent)>>();
        var gateway = new List<HttpRoute>();
        foreach (var route in state.HttpRoutes.OrderBy(r => r.Namespace, StringComparer.Ordinal).ThenBy(r => r.Name, StringComparer.Ordinal))
        {
            foreach (var parent in route.Parents)
            {
                var key = new NamespacedName(parent.Namespace, parent.Name);
                if (parent.Kind == "Service")
                {
                    if (!byService.TryGetValue(key, out var list))
                    {
                        byService[key] = list = [];
                    }
                    list.Add((route, parent));
                }
                else if (parent.Kind == "Gateway" && key == waypoint && !gateway.Contains(route))
                {
                    gateway.Add(route);
                }
            }
        }
        return new RouteTable(state, waypoint, services.ToFrozenDictionary(),
            byService.ToFrozenDictionary(kv => kv.Key, kv => kv.Value.ToImmutableArray()), [.. gateway]);
    }
}
