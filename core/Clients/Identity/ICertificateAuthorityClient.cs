namespace Mesh.Core.Identity;

/// <summary>
/// Asks the control plane CA to sign a CSR for a workload identity on behalf of this node.
/// Implemented by the control plane's client (core/Clients/Identity/CaClient); used by ztunnel's identity manager.
/// </summary>
public interface ICertificateAuthorityClient
{
    /// <summary>Signs <paramref name="csrDer"/> (PKCS#10, DER) whose only URI SAN is <paramref name="identity"/>.</summary>
    Task<IssuedCertificate> SignAsync(SpiffeId identity, byte[] csrDer, CancellationToken cancellationToken);
}
