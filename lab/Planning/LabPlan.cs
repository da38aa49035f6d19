using System.Collections.Immutable;
using Mesh.Lab.Model;

namespace Mesh.Lab.Planning;

/// <summary>Everything a lab will create, decided before anything is created (pure; see <see cref="LabPlanner"/>).</summary>
public sealed record LabPlan(
    string Name,
    LabFile File,
    LabEnvironment Environment,
    string StateDir,
    string ClusterDir,
    string LogDir,
    string CgroupDir,
    FabricPlan Fabric,
    ImmutableArray<NodePlan> Nodes,
    ImmutableArray<PodPlan> Pods,
    ImmutableArray<ServicePlan> Services)
{
    /// <summary>Every network namespace name of the lab (fabric, nodes, pods).</summary>
    public IEnumerable<string> AllNetns =>
        new[] { Fabric.Netns }.Concat(Nodes.Select(n => n.Netns)).Concat(Pods.Select(p => p.Netns));
}
