namespace Mesh.Waypoint.Routing;

/// <summary>Why a request cannot be routed; each maps to one HTTP status and one Envoy-style response flag.</summary>
public enum RouteFailure
{
    None,
    /// <summary>The destination is neither a known service VIP nor a known pod (503, NR).</summary>
    UnknownDestination,
    /// <summary>The service declares ports and this is not one of them (503, NR).</summary>
    ServicePortNotFound,
    /// <summary>Routes are attached to the service but no rule matches the request (404, NR).</summary>
    NoRouteMatched,
    /// <summary>The chosen backendRef names no known service, or every weight is 0, or the rule has no backends (500).</summary>
    BackendNotFound,
    /// <summary>The rule (or the chosen backendRef) has a filter that cannot be resolved, an ExtensionRef (500): Gateway API never skips one.</summary>
    FilterNotResolved,
    /// <summary>The backend has no endpoint with an address (503, UH).</summary>
    NoHealthyEndpoints,
}
