using System.Net;
using Mesh.Core.Model;

namespace Mesh.Waypoint.Routing;

/// <summary>
/// One endpoint the waypoint may send an attempt to: the workload and the address the app listens on
/// (pod ip:targetPort). Captured endpoints are reached through HBONE on their ip:15008; others in plain TCP.
/// </summary>
public sealed record BackendEndpoint(Workload Workload, IPEndPoint Address)
{
    public bool Captured => Workload.Captured;
}
