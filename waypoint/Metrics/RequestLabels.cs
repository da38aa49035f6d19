using Mesh.Core.Identity;
using Mesh.Core.Metrics;
using Mesh.Core.Model;

namespace Mesh.Waypoint.Metrics;

/// <summary>
/// Istio's labels of the HTTP metrics for one request (<see cref="IstioLabels"/>) as the waypoint reports it
/// (reporter="waypoint", as Istio's waypoints do): source from the tunnel (peer identity, workload by address),
/// destination = the backend service and the endpoint workload of the last attempt; then the matched route's name
/// (<see cref="IstioLabels.RouteName"/>, empty when none matched).
/// </summary>
public static class RequestLabels
{
    public static IstioLabelValues Build(Workload? source, SpiffeId? sourcePrincipal, Service? service, Workload? destination,
        int responseCode, string responseFlags, bool mutualTls, string? route, bool grpc = false) =>
        IstioLabels.Build("waypoint", source, sourcePrincipal, destination, destination?.Identity, service, grpc ? "grpc" : "http",
            responseCode, responseFlags, mutualTls, route ?? string.Empty);
}
