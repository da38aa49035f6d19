using System.Collections.Immutable;

namespace Mesh.Lab.Planning;

/// <summary>
/// A node namespace: <see cref="Uplink"/> (eth0) is a veth to the fabric bridge (peer <see cref="FabricPort"/>),
/// forwarding on, a /32 route per local pod and a route per other node's pod CIDR. No default route.
/// </summary>
public sealed record NodePlan(
    string Name,
    int Index,
    string Netns,
    string NetnsPath,
    string Ip,
    string PodCidr,
    string PodGateway,
    string Uplink,
    string FabricPort,
    string CgroupPath,
    string StateDir,
    ImmutableArray<PlannedRoute> Routes);
