using Mesh.Lab.Model;
using Mesh.Lab.Planning;

namespace Mesh.Lab.Runtime;

/// <summary>Builds the lab.json content from a plan.</summary>
internal static class LabStateFactory
{
    public static PodState ToState(PodPlan p) => new(
        p.Uid, p.Name, p.Namespace, p.NodeName, p.Pod.ServiceAccount, p.Ip, p.Netns, p.NetnsPath, p.CgroupPath,
        p.LogPath, null, p.Pod.Labels, p.Command, p.KubeUid, p.ContainerId);

    public static LabState FromPlan(LabPlan plan, string phase) => new()
    {
        Name = plan.Name,
        Phase = phase,
        SourceFile = plan.File.SourcePath,
        CreatedAt = DateTimeOffset.UtcNow,
        StateDir = plan.StateDir,
        ClusterDir = plan.ClusterDir,
        LogDir = plan.LogDir,
        CgroupDir = plan.CgroupDir,
        Fabric = new FabricState(plan.Fabric.Netns, plan.Fabric.NetnsPath, plan.Fabric.Bridge, plan.Fabric.Ip, plan.Fabric.CgroupPath),
        Nodes = [.. plan.Nodes.Select(n => new NodeState(
            n.Name, n.Index, n.Netns, n.NetnsPath, n.Ip, n.PodCidr, n.CgroupPath, LabCni.NodeSocket(n.StateDir)))],
        Pods = [.. plan.Pods.Select(ToState)],
        Services = [.. plan.Services.Select(s => new ServiceState(
            s.Name, s.Namespace, s.ClusterIp,
            [.. s.Service.Ports.Select(x => new ServicePortState(x.Name, x.Port, x.TargetPort))],
            s.Service.Selector, s.EndpointUids))],
    };
}
