using Mesh.Core.Model;

namespace Mesh.Ztunnel.NodeAgent;

/// <summary>
/// Whether a pod that the CNI just announced is to be captured (pure). The pod usually is not in discovery yet (or is
/// without its address), so: its workload, when the control plane already sent it, decides (<see cref="Workload.Captured"/>:
/// namespace or pod labelled ambient, not opted out, not a waypoint); otherwise its namespace: not enrolled -> not
/// captured; enrolled -> undecided until the workload arrives (ztunnel needs its service account for the certificate);
/// unknown, or no mesh state yet -> undecided. Agrees with <see cref="Enrollment.EnrollmentPlanner"/>, which enrolls a
/// local pod exactly when its workload is captured.
/// </summary>
public static class PodAdmission
{
    public static PodOutcome Decide(MeshState state, NodePod pod)
    {
        if (state.Version == 0)
        {
            return PodOutcome.Undecided("ztunnel has no mesh state from the control plane yet");
        }
        if (state.WorkloadsByUid.TryGetValue(pod.Uid, out var w))
        {
            return w.Captured ? PodOutcome.Undecided("captured, being attached") : PodOutcome.NotCaptured;
        }
        var ns = state.Namespaces.FirstOrDefault(n => n.Name == pod.Namespace);
        return ns switch
        {
            null => PodOutcome.Undecided($"namespace {pod.Namespace} is not known to the control plane"),
            { Captured: false } => PodOutcome.NotCaptured,
            _ => PodOutcome.Undecided($"pod {pod.Namespace}/{pod.Name} (uid {pod.Uid}) of enrolled namespace {pod.Namespace} is not known to the control plane yet"),
        };
    }
}
