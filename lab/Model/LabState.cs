using System.Collections.Immutable;

namespace Mesh.Lab.Model;

/// <summary>
/// The built cluster as written to /run/mesh-lab/&lt;lab&gt;/lab.json. Written first with <see cref="Phase"/> "creating"
/// (so a crash mid-way can be cleaned), then "ready" with the pods' PIDs.
/// </summary>
public sealed record LabState
{
    public required string Name { get; init; }
    public required string Phase { get; init; }
    public required string SourceFile { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required string StateDir { get; init; }
    public required string ClusterDir { get; init; }
    public required string LogDir { get; init; }
    public required string CgroupDir { get; init; }
    public required FabricState Fabric { get; init; }
    public required ImmutableArray<NodeState> Nodes { get; init; }
    public required ImmutableArray<PodState> Pods { get; init; }
    public required ImmutableArray<ServiceState> Services { get; init; }
    public ImmutableArray<ProcessState> Processes { get; init; } = [];
    /// <summary>The mesh-cni binary once the mesh is installed (<c>LabMesh</c>): from then on pods start through ptp and mesh-cni.</summary>
    public string? MeshCni { get; init; }

    public IEnumerable<string> AllNetns =>
        new[] { Fabric.Netns }.Concat(Nodes.Select(n => n.Netns)).Concat(Pods.Select(p => p.Netns));
}

public sealed record FabricState(string Netns, string NetnsPath, string Bridge, string Ip, string CgroupPath);

public sealed record NodeState(
    string Name, int Index, string Netns, string NetnsPath, string Ip, string PodCidr, string CgroupPath, string CniSocket);

public sealed record PodState(
    string Uid,
    string Name,
    string Namespace,
    string Node,
    string ServiceAccount,
    string Ip,
    string Netns,
    string NetnsPath,
    string CgroupPath,
    string LogPath,
    int? Pid,
    ImmutableSortedDictionary<string, string> Labels,
    ImmutableArray<string> Command,
    string KubeUid = "",
    string ContainerId = "");

public sealed record ServiceState(
    string Name,
    string Namespace,
    string? ClusterIp,
    ImmutableArray<ServicePortState> Ports,
    ImmutableSortedDictionary<string, string> Selector,
    ImmutableArray<string> Endpoints);

public sealed record ServicePortState(string? Name, int Port, int TargetPort);

/// <summary>A process the lab started in a node or the fabric (ztunnel, control plane); down kills it by PID.</summary>
public sealed record ProcessState(string Name, string Where, int Pid, string LogPath, string CgroupPath, ImmutableArray<string> Argv)
{
    /// <summary>For a supervised process: the file holding the running child's PID (<see cref="Pid"/> is the supervisor's).</summary>
    public string? PidFile { get; init; }
}
