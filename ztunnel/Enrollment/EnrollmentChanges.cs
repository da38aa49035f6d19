using System.Collections.Immutable;
using Mesh.Ztunnel.NodeAgent;

namespace Mesh.Ztunnel.Enrollment;

/// <summary>What to change so that exactly the enrolled local pods are captured.</summary>
public sealed record EnrollmentChanges(ImmutableArray<NodePod> Enroll, ImmutableArray<string> Unenroll)
{
    public bool IsEmpty => Enroll.IsEmpty && Unenroll.IsEmpty;
}
