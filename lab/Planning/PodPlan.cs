using System.Collections.Immutable;
using Mesh.Lab.Model;

namespace Mesh.Lab.Planning;

/// <summary>
/// A pod namespace: eth0 with <see cref="Ip"/>/32, a link-scope route to <see cref="Gateway"/> and a default route via it;
/// the node side of the veth is <see cref="NodeLink"/>. The command runs in this namespace and in <see cref="CgroupPath"/>.
/// </summary>
public sealed record PodPlan(
    LabPod Pod,
    string NodeName,
    int NodeIndex,
    string Ip,
    string Gateway,
    string Netns,
    string NetnsPath,
    string PodLink,
    string NodeLink,
    string CgroupPath,
    string LogPath,
    ImmutableArray<string> Command,
    ImmutableArray<KeyValuePair<string, string>> Env,
    ImmutableArray<PlannedRoute> Routes)
{
    public string Namespace => Pod.Namespace;
    public string Name => Pod.Name;
    public string Uid => Pod.Uid;
}
