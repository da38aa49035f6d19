using System.Collections.Immutable;
using Mesh.Core.Model;
using Mesh.Ztunnel.NodeAgent;

namespace Mesh.Ztunnel.Enrollment;

/// <summary>
/// Decides which local pods ztunnel captures: a pod on this node (the CNI report) whose workload the
/// control plane marks captured (namespace labelled ambient, pod not opted out). A pod the control
/// plane does not know yet is left alone; a captured pod that left the node or was opted out is released.
/// A pod whose address, namespace or cgroup changed is released and captured again. Pure.
/// </summary>
public static class EnrollmentPlanner
{
    public static EnrollmentChanges Plan(
        ImmutableArray<NodePod> localPods, MeshState state, IReadOnlyDictionary<string, NodePod> enrolled)
    {
        var desired = new Dictionary<string, NodePod>(StringComparer.Ordinal);
        foreach (var pod in localPods)
        {
            if (state.WorkloadsByUid.TryGetValue(pod.Uid, out var w) && w.Captured && System.Net.IPAddress.TryParse(pod.Ip, out _))
            {
                desired[pod.Uid] = pod;
            }
        }
        var enroll = ImmutableArray.CreateBuilder<NodePod>();
        var unenroll = ImmutableArray.CreateBuilder<string>();
        foreach (var (uid, current) in enrolled)
        {
            if (!desired.TryGetValue(uid, out var want) || !SamePlace(want, current))
            {
                unenroll.Add(uid);
            }
        }
        foreach (var (uid, want) in desired)
        {
            if (!enrolled.TryGetValue(uid, out var current) || !SamePlace(want, current))
            {
                enroll.Add(want);
            }
        }
        return new EnrollmentChanges(
            [.. enroll.OrderBy(p => p.Uid, StringComparer.Ordinal)],
            [.. unenroll.Order(StringComparer.Ordinal)]);
    }

    /// <summary>Capture depends only on where the pod lives, not on its labels.</summary>
    private static bool SamePlace(NodePod a, NodePod b) =>
        a.Ip == b.Ip && a.NetnsPath == b.NetnsPath && a.CgroupPath == b.CgroupPath;
}
