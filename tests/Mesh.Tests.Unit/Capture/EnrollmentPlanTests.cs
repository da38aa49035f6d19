using System.Collections.Immutable;
using Mesh.Core;
using Mesh.Ztunnel.Host;
using Mesh.Ztunnel.NodeAgent;

namespace Mesh.Tests.Unit.Capture;

public sealed class EnrollmentPlanTests
{
    private static NodePod Pod(string ns, string name, string? mode = null) => new()
    {
        Uid = $"{ns}/{name}",
        Name = name,
        Namespace = ns,
        Ip = "198.18.1.9",
        NetnsPath = $"/run/netns/{name}",
        CgroupPath = $"/sys/fs/cgroup/{name}",
        Labels = mode is null
            ? ImmutableSortedDictionary<string, string>.Empty
            : ImmutableSortedDictionary<string, string>.Empty.Add(MeshLabels.DataplaneMode, mode),
    };

    private static readonly HashSet<string> s_demo = ["demo"];

    [Fact]
    public void Compute_PodInEnrolledNamespace_IsEnrolled()
    {
        var plan = EnrollmentPlan.Compute([Pod("demo", "a"), Pod("other", "b")], s_demo, new HashSet<string>());

        Assert.Equal(["demo/a"], plan.Enroll.Select(p => p.Uid));
        Assert.Empty(plan.Unenroll);
    }

    [Fact]
    public void Compute_PodOptedOut_IsNotEnrolled()
    {
        var plan = EnrollmentPlan.Compute([Pod("demo", "a", MeshLabels.DataplaneModeNone)], s_demo, new HashSet<string>());

        Assert.Empty(plan.Enroll);
    }

    [Fact]
    public void Compute_AlreadyEnrolled_IsLeftAlone()
    {
        var plan = EnrollmentPlan.Compute([Pod("demo", "a")], s_demo, new HashSet<string> { "demo/a" });

        Assert.Empty(plan.Enroll);
        Assert.Empty(plan.Unenroll);
    }

    [Fact]
    public void Compute_NamespaceNoLongerEnrolled_Unenrolls()
    {
        var plan = EnrollmentPlan.Compute([Pod("demo", "a")], new HashSet<string>(), new HashSet<string> { "demo/a" });

        Assert.Equal(["demo/a"], plan.Unenroll.ToArray());
    }

    [Fact]
    public void Compute_PodGoneFromNode_Unenrolls()
    {
        var plan = EnrollmentPlan.Compute([], s_demo, new HashSet<string> { "demo/a" });

        Assert.Equal(["demo/a"], plan.Unenroll.ToArray());
    }

    [Fact]
    public void Compute_PodWithoutIp_IsNotEnrolled()
    {
        var plan = EnrollmentPlan.Compute([Pod("demo", "a") with { Ip = "" }], s_demo, new HashSet<string>());

        Assert.Empty(plan.Enroll);
    }
}
