namespace Mesh.ControlPlane.Discovery;

/// <summary>Identifies a resource on the wire: its kind (wire name, e.g. "workloads") and key (uid or namespace/name).</summary>
public readonly record struct ResourceId(string Kind, string Key);

/// <summary>
/// One resource serialized once per change: its full JSON and, for workloads, the slim JSON (no labels) that
/// ztunnels on other nodes get. <see cref="Node"/> is the workload's node.
/// </summary>
public sealed record ResourceEntry(ResourceId Id, string? Node, byte[] Full, ulong FullHash, byte[]? Slim, ulong SlimHash);
