using Mesh.Core.Identity;

namespace Mesh.Ztunnel.Inbound;

/// <summary>
/// What the inbound side knows about a connection when it decides: the peer's verified identity (from the client
/// certificate of an HBONE tunnel; none for plaintext captured on 15006) and the destination port in the pod.
/// </summary>
public readonly record struct ConnectionFacts(SpiffeId? Peer, int DestinationPort, bool Plaintext)
{
    /// <summary>A tunnel whose client certificate carried <paramref name="peer"/>.</summary>
    public static ConnectionFacts MutualTls(SpiffeId peer, int destinationPort) => new(peer, destinationPort, false);

    /// <summary>Plaintext from outside the mesh: no identity.</summary>
    public static ConnectionFacts PlaintextConnection(int destinationPort) => new(null, destinationPort, true);
}
