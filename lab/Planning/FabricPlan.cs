using System.Collections.Immutable;

namespace Mesh.Lab.Planning;

/// <summary>The fabric namespace: a bridge joining the nodes, with 198.19.0.1/24; hosts the control plane.</summary>
public sealed record FabricPlan(string Netns, string NetnsPath, string Bridge, string Ip, string CgroupPath, ImmutableArray<PlannedRoute> Routes);
