using System.Collections.Immutable;

namespace Mesh.Core.Model;

/// <summary>
/// A Gateway API HTTPRoute as the waypoints use it (runtime model, immutable). Parent refs name the
/// waypoint Gateway or the Service the route attaches to; rules are evaluated in order. A GRPCRoute becomes the same
/// model (<see cref="Kind"/> "GRPCRoute"): its service/method matches are path matches on <c>/service/method</c> with
/// a <c>content-type: application/grpc</c> header match.
/// </summary>
public sealed record HttpRoute
{
    public const string HttpKind = "HTTPRoute";
    public const string GrpcKind = "GRPCRoute";

    /// <summary>"HTTPRoute" or "GRPCRoute": the kind of object it came from.</summary>
    public string Kind { get; init; } = HttpKind;
    public required string Name { get; init; }
    public required string Namespace { get; init; }
    public ImmutableArray<HttpRouteParent> Parents { get; init; } = [];
    public ImmutableArray<string> Hostnames { get; init; } = [];
    public ImmutableArray<HttpRouteRule> Rules { get; init; } = [];

    public NamespacedName Key => new(Namespace, Name);

    /// <summary>The name on the discovery wire: unique across both kinds (an HTTPRoute and a GRPCRoute may share a name).</summary>
    public string ResourceName => Kind == HttpKind ? Key.ToString() : $"{Kind}:{Key}";
}

/// <summary>A parentRef: kind "Gateway" (a waypoint) or "Service" (GAMMA style), with an optional port.</summary>
public sealed record HttpRouteParent(string Kind, string Namespace, string Name, int? Port = null);

/// <summary>One rule: any match (OR) selects it; then the weighted backends, timeouts and retries apply.</summary>
public sealed record HttpRouteRule
{
    public ImmutableArray<HttpRouteMatch> Matches { get; init; } = [];
    public ImmutableArray<HttpBackendRef> Backends { get; init; } = [];
    /// <summary>timeouts.request: the whole request including retries.</summary>
    public TimeSpan? RequestTimeout { get; init; }
    /// <summary>timeouts.backendRequest: one attempt.</summary>
    public TimeSpan? BackendRequestTimeout { get; init; }
    public HttpRetry? Retry { get; init; }
    /// <summary>The rule's filters (applied to every request it takes; a backendRef's own filters come after).</summary>
    public HttpRouteFilters Filters { get; init; } = HttpRouteFilters.None;
}

/// <summary>A match: every non-null field must match (AND).</summary>
public sealed record HttpRouteMatch
{
    /// <summary>"Exact", "PathPrefix" or "RegularExpression"; null means any path.</summary>
    public string? PathType { get; init; }
    public string? PathValue { get; init; }
    public string? Method { get; init; }
    public ImmutableArray<HttpHeaderMatch> Headers { get; init; } = [];
}

/// <summary>A header match; <see cref="Type"/> is "Exact" or "RegularExpression".</summary>
public sealed record HttpHeaderMatch(string Name, string Value, string Type = "Exact");

/// <summary>A backendRef: a Service (namespace/name) and port, with a weight (default 1) and the filters applied only
/// to requests sent to it (null: none).</summary>
public sealed record HttpBackendRef(string Namespace, string Name, int? Port, int Weight = 1, HttpRouteFilters? Filters = null);

/// <summary>
/// Gateway API retry (attempts, status codes, backoff), the gRPC status codes retried (the route's
/// <c>retry.mesh.dev/grpc</c> annotation, as Linkerd's <c>retry.linkerd.io/grpc</c>) and the retry budget of the
/// route's annotations.
/// </summary>
public sealed record HttpRetry
{
    public int Attempts { get; init; }
    public ImmutableArray<int> Codes { get; init; } = [];
    /// <summary>gRPC status codes (14 = UNAVAILABLE, ...) whose <c>grpc-status</c> (trailers, or headers of a trailers-only answer) is retried.</summary>
    public ImmutableArray<int> GrpcCodes { get; init; } = [];
    public TimeSpan? Backoff { get; init; }
    public RetryBudgetSettings Budget { get; init; } = RetryBudgetSettings.Default;
}
