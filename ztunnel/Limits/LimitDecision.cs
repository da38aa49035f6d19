namespace Mesh.Ztunnel.Limits;

/// <summary>Pure: may one more connection be opened, given what is open now? The node's budget first, then the pod's, then the peer's.</summary>
public static class LimitDecision
{
    /// <param name="counts">Open now (the new connection not included).</param>
    /// <param name="nodeLimit">The node's cap in force (<see cref="ProxyLimits.NodeLimit"/>).</param>
    /// <param name="countsNode">The connection holds a descriptor (an accepted socket or a dial), so the node's and the pod's budgets apply.</param>
    /// <param name="hasPeer">The connection comes from a verified peer identity, so the peer's budget applies.</param>
    public static RefusalReason Admit(ConnectionCounts counts, int nodeLimit, ProxyLimits limits, bool countsNode, bool hasPeer)
    {
        if (countsNode && counts.Node >= nodeLimit)
        {
            return RefusalReason.NodeLimit;
        }
        if (countsNode && counts.Pod >= limits.MaxConnectionsPerPod)
        {
            return RefusalReason.PodLimit;
        }
        if (hasPeer && counts.Peer >= limits.MaxConnectionsPerPeer)
        {
            return RefusalReason.PeerLimit;
        }
        return RefusalReason.None;
    }
}
