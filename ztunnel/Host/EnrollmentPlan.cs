using System.Collections.Immutable;
using System.Net;
using Mesh.Core;
using Mesh.Ztunnel.Redirection;
using Mesh.Ztunnel.NodeAgent;

namespace Mesh.Ztunnel.Host;

/// <summary>Which pods to enroll and unenroll to match the node's pods and the enrolled namespaces (pure).</summary>
public sealed record EnrollmentPlan(ImmutableArray<PodCapture> Enroll, ImmutableArray<string> Unenroll)
{
    /// <summary>
    /// A pod is captured when its namespace is enrolled and it does not opt out with
    /// <c>mesh.dev/dataplane-mode: none</c>. Pods that are enrolled but no longer wanted (or gone) are unenrolled.
    /// </summary>
    public static EnrollmentPlan Compute(IEnumerable<NodePod> pods, IReadOnlySet<string> enrolledNamespaces, IReadOnlySet<string> enrolledUids)
    {
        var wanted = pods.Where(p => IsCaptured(p, enrolledNamespaces)).ToDictionary(p => p.Uid, StringComparer.Ordinal);
        var enroll = wanted.Values
            .Where(p => !enrolledUids.Contains(p.Uid))
            .OrderBy(p => p.Uid, StringComparer.Ordinal)
            .Select(ToCapture)
            .ToImmutableArray();
        var unenroll = enrolledUids.Where(uid => !wanted.ContainsKey(uid)).Order(StringComparer.Ordinal).ToImmutableArray();
        return new EnrollmentPlan(enroll, unenroll);
    }

    public static bool IsCaptured(NodePod pod, IReadOnlySet<string> enrolledNamespaces) =>
        enrolledNamespaces.Contains(pod.Namespace)
        && !(pod.Labels.TryGetValue(MeshLabels.DataplaneMode, out var mode) && mode == MeshLabels.DataplaneModeNone)
        && IPAddress.TryParse(pod.Ip, out _);

    public static PodCapture ToCapture(NodePod pod) => new(pod.Uid, IPAddress.Parse(pod.Ip), pod.NetnsPath, pod.CgroupPath);
}
