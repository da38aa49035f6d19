using System.Collections.Immutable;
using System.Net;
using Mesh.Core.Model;

namespace Mesh.Waypoint.Routing;

/// <summary>
/// Decides where one HTTP request goes. Pure: (route table, request facts, Random) -> <see cref="RoutePlan"/>.
/// <list type="number">
/// <item>Destination: the service whose VIP is the original destination (its port must be declared when it
/// declares ports), else the pod with that address, else <see cref="RouteFailure.UnknownDestination"/>.</item>
/// <item>Routes: those attached to the service (parentRef kind Service, port unset or equal), else those attached
/// to this waypoint's Gateway whose hostnames match; none -> the default route (the service itself).</item>
/// <item>Rule: the best matching rule over all those routes (<see cref="RouteMatcher.Rank"/>; ties: route
/// namespace/name, then rule order); none -> 404.</item>
/// <item>Filters: an unresolved filter (ExtensionRef) -> 500; a RequestRedirect answers (<see cref="RoutePlan.Redirect"/>)
/// without a backend.</item>
/// <item>Backend: by weight (<paramref name="random"/>); an unknown service, all weights 0 or no backends -> 500; its
/// own filters and the mirrors (rule's and backendRef's) come with it.</item>
/// <item>Endpoints: the backend's endpoint workloads with an address, on the target port of the backendRef's
/// port (or of the original port for the default route); none -> 503.</item>
/// </list>
/// </summary>
public static class RoutePlanner
{
    public static RoutePlan Plan(RouteTable table, RequestFacts request, Random random)
    {
        var state = table.State;
        var dst = request.Destination;
        var address = dst.Address.IsIPv4MappedToIPv6 ? dst.Address.MapToIPv4() : dst.Address;
        if (!state.ServicesByAddress.TryGetValue(address, out var service))
        {
            if (state.WorkloadsByAddress.TryGetValue(address, out var pod))
            {
                return new RoutePlan { Endpoints = [new BackendEndpoint(pod, new IPEndPoint(address, dst.Port))] };
            }
            return RoutePlan.Failed(RouteFailure.UnknownDestination);
        }
        if (!service.Ports.IsEmpty && !service.Ports.Any(p => p.Port == dst.Port))
        {
            return RoutePlan.Failed(RouteFailure.ServicePortNotFound, service);
        }

        var candidates = Attached(table, service, dst.Port, request.Host);
        if (candidates.IsEmpty)
        {
            return WithEndpoints(state, new RoutePlan { DestinationService = service, BackendService = service }, service, dst.Port);
        }
        if (!BestRule(candidates, request, out var route, out var ruleIndex, out var match))
        {
            return RoutePlan.Failed(RouteFailure.NoRouteMatched, service);
        }
        var rule = route.Rules[ruleIndex];
        var plan = new RoutePlan
        {
            DestinationService = service,
            Route = route.Key,
            RuleIndex = ruleIndex,
            RequestTimeout = NonZero(rule.RequestTimeout),
            BackendTimeout = NonZero(rule.BackendRequestTimeout),
            Retry = rule.Retry,
            Filters = rule.Filters,
            MatchedPrefix = match.PathType is null or "PathPrefix" ? match.PathValue ?? "/" : null,
        };
        if (rule.Filters.Unresolved is not null)
        {
            return plan with { Failure = RouteFailure.FilterNotResolved };
        }
        if (rule.Filters.Redirect is { } redirect)
        {
            return plan with
            {
                Redirect = new RedirectAnswer(redirect.StatusCode, Filters.RedirectLocation.Build(redirect, request.Host, dst.Address.ToString(), dst.Port,
                    request.Path, request.Query, plan.MatchedPrefix)),
            };
        }
        var backend = PickBackend(rule.Backends, random);
        if (backend is null || !table.Services.TryGetValue(new NamespacedName(backend.Namespace, backend.Name), out var backendService))
        {
            return plan with { Failure = RouteFailure.BackendNotFound };
        }
        if (backend.Filters?.Unresolved is not null)
        {
            return plan with { Failure = RouteFailure.FilterNotResolved, BackendService = backendService };
        }
        plan = plan with
        {
            BackendService = backendService,
            BackendFilters = backend.Filters,
            Mirrors = Mirrors(table, rule.Filters.Mirrors.AddRange(backend.Filters?.Mirrors ?? [])),
        };
        return WithEndpoints(state, plan, backendService, backend.Port ?? dst.Port);
    }

    /// <summary>The mirrors whose service is known, with their endpoints (an unknown one is skipped: the translation reported it).</summary>
    private static ImmutableArray<MirrorTarget> Mirrors(RouteTable table, ImmutableArray<HttpBackendRef> mirrors)
    {
        if (mirrors.IsEmpty)
        {
            return [];
        }
        var targets = ImmutableArray.CreateBuilder<MirrorTarget>();
        foreach (var m in mirrors)
        {
            if (table.Services.TryGetValue(new NamespacedName(m.Namespace, m.Name), out var svc))
            {
                targets.Add(new MirrorTarget(svc, Endpoints(table.State, svc, m.Port ?? 80)));
            }
        }
        return targets.ToImmutable();
    }

    /// <summary>A weighted choice; null when there are no backends or every weight is 0.</summary>
    public static HttpBackendRef? PickBackend(ImmutableArray<HttpBackendRef> backends, Random random)
    {
        long total = 0;
        foreach (var b in backends)
        {
            total += Math.Max(0, b.Weight);
        }
        if (total == 0)
        {
            return null;
        }
        var pick = random.NextInt64(total);
        foreach (var b in backends)
        {
            pick -= Math.Max(0, b.Weight);
            if (pick < 0)
            {
                return b;
            }
        }
        return null;
    }

    private static ImmutableArray<(HttpRoute Route, HttpRouteParent Parent)> Attached(RouteTable table, Service service, int port, string? host)
    {
        if (table.RoutesByService.TryGetValue(service.Key, out var routes))
        {
            var forPort = routes.Where(r => r.Parent.Port is null || r.Parent.Port == port).ToImmutableArray();
            if (!forPort.IsEmpty)
            {
                return forPort;
            }
        }
        return [.. table.GatewayRoutes.Where(r => RouteMatcher.HostMatches(r.Hostnames, host))
            .Select(r => (r, new HttpRouteParent("Gateway", table.Waypoint.Namespace, table.Waypoint.Name)))];
    }

    private static bool BestRule(ImmutableArray<(HttpRoute Route, HttpRouteParent Parent)> candidates, RequestFacts request,
        out HttpRoute route, out int ruleIndex, out HttpRouteMatch match)
    {
        route = null!;
        ruleIndex = -1;
        match = RouteMatcher.MatchAll;
        (int, int, int, int) best = (-1, -1, -1, -1);
        foreach (var (r, _) in candidates)
        {
            for (var i = 0; i < r.Rules.Length; i++)
            {
                var matches = r.Rules[i].Matches.IsEmpty ? [RouteMatcher.MatchAll] : r.Rules[i].Matches;
                foreach (var m in matches)
                {
                    if (!RouteMatcher.Matches(m, request))
                    {
                        continue;
                    }
                    var rank = RouteMatcher.Rank(m);
                    if (rank.CompareTo(best) > 0)
                    {
                        best = rank;
                        route = r;
                        ruleIndex = i;
                        match = m;
                    }
                }
            }
        }
        return ruleIndex >= 0;
    }

    private static RoutePlan WithEndpoints(MeshState state, RoutePlan plan, Service backend, int servicePort)
    {
        var endpoints = Endpoints(state, backend, servicePort);
        return endpoints.IsEmpty
            ? plan with { Failure = RouteFailure.NoHealthyEndpoints }
            : plan with { Endpoints = endpoints };
    }

    private static ImmutableArray<BackendEndpoint> Endpoints(MeshState state, Service backend, int servicePort)
    {
        var targetPort = servicePort;
        foreach (var p in backend.Ports)
        {
            if (p.Port == servicePort)
            {
                targetPort = p.TargetPort;
                break;
            }
        }
        var endpoints = ImmutableArray.CreateBuilder<BackendEndpoint>();
        foreach (var uid in backend.Endpoints)
        {
            if (state.WorkloadsByUid.TryGetValue(uid, out var w) && !w.Addresses.IsEmpty)
            {
                endpoints.Add(new BackendEndpoint(w, new IPEndPoint(w.Addresses[0], targetPort)));
            }
        }
        return endpoints.ToImmutable();
    }

    private static TimeSpan? NonZero(TimeSpan? t) => t is { } v && v > TimeSpan.Zero ? v : null;
}
