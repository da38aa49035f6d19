using System.Collections.Immutable;
using Mesh.Lab.Model;

namespace Mesh.Lab.Planning;

/// <summary>
/// A pod: its network namespace (<see cref="Netns"/>), which the CNI chain of its node wires up (ptp gives eth0
/// <see cref="Ip"/> via host-local, with routes via <see cref="Gateway"/>), its Kubernetes uid (<see cref="KubeUid"/>, as
/// a kubelet would pass it in CNI_ARGS) and its kubepods-shaped cgroup (<see cref="CgroupPath"/>), where the command runs.
/// </summary>
public sealed record PodPlan(
    LabPod Pod,
    string NodeName,
    int NodeIndex,
    string Ip,
    string Gateway,
    string Netns,
    string NetnsPath,
    string IfName,
    string KubeUid,
    string CgroupPath,
    string LogPath,
    ImmutableArray<string> Command,
    ImmutableArray<KeyValuePair<string, string>> Env)
{
    public string Namespace => Pod.Namespace;
    public string Name => Pod.Name;
    public string Uid => Pod.Uid;

    /// <summary>The sandbox id the lab passes as CNI_CONTAINERID.</summary>
    public string ContainerId => KubeUid.Replace("-", "", StringComparison.Ordinal);

    public CniSandbox Sandbox => new(Namespace, Name, KubeUid, ContainerId, NetnsPath, Ip);
}
