namespace Mesh.Waypoint.Routing;

/// <summary>The HTTP status and response flag of each <see cref="RouteFailure"/> (Gateway API and Envoy conventions).</summary>
public static class RouteFailures
{
    public static int Status(RouteFailure failure) => failure switch
    {
        RouteFailure.NoRouteMatched => 404,
        RouteFailure.BackendNotFound or RouteFailure.FilterNotResolved => 500,
        _ => 503,
    };

    public static string Flag(RouteFailure failure) => failure switch
    {
        RouteFailure.NoHealthyEndpoints => "UH",
        RouteFailure.BackendNotFound or RouteFailure.FilterNotResolved => "-",
        _ => "NR",
    };
}
