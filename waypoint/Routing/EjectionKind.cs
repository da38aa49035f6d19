namespace Mesh.Waypoint.Routing;

/// <summary>What an attempt's verdict changed in an endpoint's ejection state.</summary>
public enum EjectionKind
{
    None,
    /// <summary>The endpoint leaves the balancer for a penalty (first time, or again after a failed probe).</summary>
    Ejected,
    /// <summary>Its probe succeeded: it is balanced over again.</summary>
    Returned,
}
