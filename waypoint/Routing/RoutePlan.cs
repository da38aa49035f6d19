using System.Collections.Immutable;
using Mesh.Core.Model;

namespace Mesh.Waypoint.Routing;

/// <summary>
/// The decision for one request: the destination as the client addressed it, the route rule that matched (none:
/// the service's default route), the backend chosen by weight with its endpoints, and the rule's timeouts and
/// retry policy, its filters (a redirect is the whole answer), the mirrors. A failure carries only <see cref="Failure"/>
/// and what was known.
/// </summary>
public sealed record RoutePlan
{
    public RouteFailure Failure { get; init; }

    /// <summary>The service the client addressed (null for a pod address or an unknown one).</summary>
    public Service? DestinationService { get; init; }

    /// <summary>The route and rule index that matched, or null for the default route.</summary>
    public NamespacedName? Route { get; init; }
    public int RuleIndex { get; init; } = -1;

    /// <summary>The backend service chosen (null when the client addressed a pod).</summary>
    public Service? BackendService { get; init; }

    /// <summary>The endpoints of the chosen backend, on their target port.</summary>
    public ImmutableArray<BackendEndpoint> Endpoints { get; init; } = [];

    /// <summary>timeouts.request: the whole request including retries (504 when it expires).</summary>
    public TimeSpan? RequestTimeout { get; init; }

    /// <summary>timeouts.backendRequest: one attempt.</summary>
    public TimeSpan? BackendTimeout { get; init; }

    public HttpRetry? Retry { get; init; }

    /// <summary>The rule's filters; <see cref="BackendFilters"/> are the chosen backendRef's own (applied after them).</summary>
    public HttpRouteFilters Filters { get; init; } = HttpRouteFilters.None;
    public HttpRouteFilters? BackendFilters { get; init; }

    /// <summary>The PathPrefix value of the match that selected the rule (ReplacePrefixMatch replaces it); null for other matches.</summary>
    public string? MatchedPrefix { get; init; }

    /// <summary>Where copies of the request go (the rule's and the backendRef's RequestMirror filters whose service is known).</summary>
    public ImmutableArray<MirrorTarget> Mirrors { get; init; } = [];

    /// <summary>Set when the rule redirects: the answer, no backend.</summary>
    public RedirectAnswer? Redirect { get; init; }

    public bool IsSuccess => Failure == RouteFailure.None;

    public static RoutePlan Failed(RouteFailure failure, Service? destination = null) =>
        new() { Failure = failure, DestinationService = destination };
}
