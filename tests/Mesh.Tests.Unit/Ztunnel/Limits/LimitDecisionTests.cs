using Mesh.Ztunnel.Limits;

namespace Mesh.Tests.Unit.Ztunnel.Limits;

public sealed class LimitDecisionTests
{
    private static readonly ProxyLimits Limits = new() { MaxConnectionsPerPod = 10, MaxConnectionsPerPeer = 5 };

    [Theory]
    [InlineData(0, 0, 0, true, true, RefusalReason.None)]
    [InlineData(99, 9, 4, true, true, RefusalReason.None)]
    [InlineData(100, 0, 0, true, true, RefusalReason.NodeLimit)]
    [InlineData(100, 10, 5, true, true, RefusalReason.NodeLimit)] // the node's budget is checked first
    [InlineData(50, 10, 5, true, true, RefusalReason.PodLimit)]
    [InlineData(50, 9, 5, true, true, RefusalReason.PeerLimit)]
    [InlineData(50, 9, 5, true, false, RefusalReason.None)]    // plaintext: no peer budget
    [InlineData(100, 10, 4, false, true, RefusalReason.None)]  // a peer-only lease (the HBONE connection counted at accept)
    [InlineData(100, 10, 5, false, true, RefusalReason.PeerLimit)]
    public void Admit_Counts_RefusesAtTheFirstSpentBudget(int node, int pod, int peer, bool countsNode, bool hasPeer, RefusalReason expected) =>
        Assert.Equal(expected, LimitDecision.Admit(new ConnectionCounts(node, pod, peer), 100, Limits, countsNode, hasPeer));

    [Theory]
    [InlineData(20000UL, 8488)]       // (20000 - 1024 - 2000) / 2
    [InlineData(1048576UL, 65536)]    // capped by MaxConnections
    [InlineData(1024UL, 333)]         // containerd's default: (1024 - 256 - 102) / 2, the reserve at most a quarter
    [InlineData(8UL, 3)]              // a tiny limit still admits some: (8 - 2 - 0) / 2
    public void NodeLimit_DescriptorLimit_LeavesTheReserveAndTwoDescriptorsPerConnection(ulong fdLimit, int expected) =>
        Assert.Equal(expected, new ProxyLimits().NodeLimit(fdLimit));
}
