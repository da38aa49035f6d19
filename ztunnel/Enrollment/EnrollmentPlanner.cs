using System.Collections.Immutable;
using Mesh.Core.Model;
using Mesh.Ztunnel.Cni;

namespace Mesh.Ztunnel.Enrollment;

/// <summary>
/// Decides which local pods ztunnel captures: a pod on this node (the CNI report) whose workload the
/// control plane marks captured (namespace labelled ambient, pod not opted out). A pod the control
/// plane does not know yet is left alone; a captured pod that left the node or was opted out is released.
/// A pod whose address changed is released and captured again. Pure.
/// </summary>
public static class EnrollmentPlanner
{
    public static EnrollmentPlan Plan(
        ImmutableArray<NodePod> localPods, MeshState state, IReadOnlyDictionary<string, NodePod> enrolled)
    {
        var desired = new Dictionary<string, NodePod>(StringComparer.Ordinal);
        foreach (var pod in localPods)
        {
            if (state.WorkloadsByUid.TryGetValue(pod.Uid, out var w) && w.Captured)
            {
                desired[pod.Uid] = pod;
            }
        }
        var enroll = ImmutableArray.CreateBuilder<NodePod>();
        var unenroll = ImmutableArray.CreateBuilder<string>();
        foreach (var (uid, current) in enrolled)
        {
            if (!desired.TryGetValue(uid, out var want) || want != current)
            {
                unenroll.Add(uid);
            }
        }
        foreach (var (uid, want) in desired)
        {
            if (!enrolled.TryGetValue(uid, out var current) || current != want)
            {
                enroll.Add(want);
            }
        }
        return new EnrollmentPlan(
            [.. enroll.OrderBy(p => p.Uid, StringComparer.Ordinal)],
            [.. unenroll.Order(StringComparer.Ordinal)]);
    }
}
