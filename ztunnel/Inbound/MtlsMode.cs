namespace Mesh.Ztunnel.Inbound;

/// <summary>Peer authentication mode of a destination workload (Istio's PeerAuthentication, reduced to the two modes that matter in ambient).</summary>
public enum MtlsMode
{
    /// <summary>Plaintext from outside the mesh is accepted and subject to authorization policy.</summary>
    Permissive,
    /// <summary>Plaintext is refused before policy; only HBONE (mutual TLS) reaches the workload.</summary>
    Strict,
}
