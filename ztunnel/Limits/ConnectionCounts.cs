namespace Mesh.Ztunnel.Limits;

/// <summary>What is open now: on the node, through the pod, and from the peer identity (0 when there is none).</summary>
public readonly record struct ConnectionCounts(int Node, int Pod, int Peer);
