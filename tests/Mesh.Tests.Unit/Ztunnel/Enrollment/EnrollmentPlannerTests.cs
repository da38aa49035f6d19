using System.Collections.Immutable;
using Mesh.Core.Model;
using Mesh.Ztunnel.Enrollment;
using Mesh.Ztunnel.NodeAgent;

namespace Mesh.Tests.Unit.Ztunnel.Enrollment;

public sealed class EnrollmentPlannerTests
{
    private static NodePod Local(string uid, string ip = "198.18.1.2", string label = "") => new()
    {
        Uid = uid,
        Name = uid.Split('/')[1],
        Namespace = uid.Split('/')[0],
        Ip = ip,
        NetnsPath = $"/run/netns/{uid.Replace('/', '-')}",
        CgroupPath = $"/sys/fs/cgroup/{uid}",
        Labels = label.Length == 0 ? System.Collections.Immutable.ImmutableSortedDictionary<string, string>.Empty : System.Collections.Immutable.ImmutableSortedDictionary<string, string>.Empty.Add("team", label),
    };

    private static readonly Dictionary<string, NodePod> None = new();

    [Fact]
    public void Plan_CapturedLocalPod_Enrolled()
    {
        var state = TestWorkloads.State([TestWorkloads.Pod("app", "a", "198.18.1.2")]);

        var plan = EnrollmentPlanner.Plan([Local("app/a")], state, None);

        Assert.Equal(["app/a"], plan.Enroll.Select(p => p.Uid));
        Assert.Empty(plan.Unenroll);
    }

    [Fact]
    public void Plan_NotCapturedWorkload_LeftAlone()
    {
        var state = TestWorkloads.State([TestWorkloads.Pod("app", "a", "198.18.1.2", captured: false)]);

        var plan = EnrollmentPlanner.Plan([Local("app/a")], state, None);

        Assert.True(plan.IsEmpty);
    }

    [Fact]
    public void Plan_WorkloadUnknownToControlPlane_LeftAlone()
    {
        var plan = EnrollmentPlanner.Plan([Local("app/a")], MeshState.Empty, None);

        Assert.True(plan.IsEmpty);
    }

    [Fact]
    public void Plan_CapturedWorkloadOnAnotherNode_NotEnrolledHere()
    {
        var state = TestWorkloads.State([TestWorkloads.Pod("app", "b", "198.18.2.2", node: "node2")]);

        var plan = EnrollmentPlanner.Plan([Local("app/a")], state, None);

        Assert.True(plan.IsEmpty);
    }

    [Fact]
    public void Plan_NamespaceUnlabelled_Unenrolled()
    {
        var enrolled = new Dictionary<string, NodePod> { ["app/a"] = Local("app/a") };
        var state = TestWorkloads.State([TestWorkloads.Pod("app", "a", "198.18.1.2", captured: false)]);

        var plan = EnrollmentPlanner.Plan([Local("app/a")], state, enrolled);

        Assert.Empty(plan.Enroll);
        Assert.Equal(["app/a"], plan.Unenroll.AsEnumerable());
    }

    [Fact]
    public void Plan_PodLeftNode_Unenrolled()
    {
        var enrolled = new Dictionary<string, NodePod> { ["app/a"] = Local("app/a") };
        var state = TestWorkloads.State([TestWorkloads.Pod("app", "a", "198.18.1.2")]);

        var plan = EnrollmentPlanner.Plan([], state, enrolled);

        Assert.Equal(["app/a"], plan.Unenroll.AsEnumerable());
    }

    [Fact]
    public void Plan_AlreadyEnrolledAndUnchanged_NothingToDo()
    {
        var enrolled = new Dictionary<string, NodePod> { ["app/a"] = Local("app/a") };
        var state = TestWorkloads.State([TestWorkloads.Pod("app", "a", "198.18.1.2")]);

        var plan = EnrollmentPlanner.Plan([Local("app/a")], state, enrolled);

        Assert.True(plan.IsEmpty);
    }

    [Fact]
    public void Plan_PodRecreatedWithNewAddress_ReleasedAndCapturedAgain()
    {
        var enrolled = new Dictionary<string, NodePod> { ["app/a"] = Local("app/a", "198.18.1.2") };
        var state = TestWorkloads.State([TestWorkloads.Pod("app", "a", "198.18.1.3")]);

        var plan = EnrollmentPlanner.Plan([Local("app/a", "198.18.1.3")], state, enrolled);

        Assert.Equal(["app/a"], plan.Unenroll.AsEnumerable());
        Assert.Equal("198.18.1.3", Assert.Single(plan.Enroll).Ip);
    }

    [Fact]
    public void Plan_OnlyLabelsChanged_NothingToDo()
    {
        var enrolled = new Dictionary<string, NodePod> { ["app/a"] = Local("app/a", label: "x") };
        var state = TestWorkloads.State([TestWorkloads.Pod("app", "a", "198.18.1.2")]);

        var plan = EnrollmentPlanner.Plan([Local("app/a", label: "y")], state, enrolled);

        Assert.True(plan.IsEmpty);
    }

    [Fact]
    public void Plan_ManyPods_SortedByUid()
    {
        var state = TestWorkloads.State([TestWorkloads.Pod("b", "x", "198.18.1.3"), TestWorkloads.Pod("a", "y", "198.18.1.2")]);

        var plan = EnrollmentPlanner.Plan([Local("b/x"), Local("a/y")], state, None);

        Assert.Equal(["a/y", "b/x"], plan.Enroll.Select(p => p.Uid));
    }
}
