namespace Mesh.Waypoint.Routing;

/// <summary>What one attempt says about its endpoint's health, for circuit breaking (<see cref="EndpointEjector"/>).</summary>
public enum EndpointVerdict
{
    Success,
    /// <summary>A 5xx, an overload answer (HTTP 429, gRPC RESOURCE_EXHAUSTED), a gRPC server failure, or no response at all.</summary>
    Failure,
    /// <summary>Says nothing about the endpoint: the client went away, or the request's own timeout ended it.</summary>
    Neutral,
}
