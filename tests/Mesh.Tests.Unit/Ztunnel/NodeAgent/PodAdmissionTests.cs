using Mesh.Core.Model;
using Mesh.Ztunnel.NodeAgent;

namespace Mesh.Tests.Unit.Ztunnel.NodeAgent;

public sealed class PodAdmissionTests
{
    private static readonly NodePod NewPod = new()
    {
        Uid = "aaaaaaaa-0000-0000-0000-000000000001", Name = "web", Namespace = "app", Ip = "198.18.1.9",
        NetnsPath = "/run/netns/x", CgroupPath = "/cg/x",
    };

    private static MeshState State(IEnumerable<Workload> workloads, params (string Name, bool Captured)[] namespaces) =>
        MeshState.Build(5, workloads, [], [], []) with
        {
            Namespaces = [.. namespaces.Select(n => new MeshNamespace { Name = n.Name, Captured = n.Captured })],
        };

    private static Workload Known(bool captured) => new()
    {
        Uid = NewPod.Uid, Name = "web", Namespace = "app", Node = "node1", Captured = captured,
    };

    [Fact]
    public void Decide_NoMeshStateYet_Undecided()
    {
        var outcome = PodAdmission.Decide(MeshState.Empty, NewPod);

        Assert.Equal(PodOutcomeKind.Undecided, outcome.Kind);
        Assert.Contains("no mesh state", outcome.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_WorkloadKnown_ItsCapturedFlagDecides()
    {
        Assert.Equal(PodOutcomeKind.NotCaptured, PodAdmission.Decide(State([Known(false)], ("app", true)), NewPod).Kind);
        // Captured: final only once the reconciler attached it.
        Assert.Equal(PodOutcomeKind.Undecided, PodAdmission.Decide(State([Known(true)], ("app", false)), NewPod).Kind);
    }

    [Fact]
    public void Decide_PodNotInDiscoveryYet_NamespaceDecides()
    {
        Assert.Equal(PodOutcomeKind.NotCaptured, PodAdmission.Decide(State([], ("app", false)), NewPod).Kind);
        var enrolled = PodAdmission.Decide(State([], ("app", true)), NewPod);
        Assert.Equal(PodOutcomeKind.Undecided, enrolled.Kind);
        Assert.Contains("not known to the control plane yet", enrolled.Reason, StringComparison.Ordinal);
        var unknown = PodAdmission.Decide(State([], ("other", true)), NewPod);
        Assert.Contains("namespace app is not known", unknown.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Outcomes_CapturedAndNotCaptured_AreFinal()
    {
        Assert.True(PodOutcome.Captured.IsFinal);
        Assert.True(PodOutcome.NotCaptured.IsFinal);
        Assert.True(PodOutcome.Failed("x").IsFinal);
        Assert.False(PodOutcome.Undecided("x").IsFinal);
    }
}
