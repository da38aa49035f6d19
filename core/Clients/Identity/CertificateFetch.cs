using System.Security.Cryptography.X509Certificates;

namespace Mesh.Core.Identity;

/// <summary>
/// The one way a proxy obtains a workload certificate (ztunnel per pod identity, the waypoint for its own): a fresh
/// ECDSA P-256 key and CSR, the CA's answer checked (the leaf names the identity asked for, a trust bundle came
/// with it, the leaf is for our key), the key joined to the leaf in memory only. Whatever the CA client is, an
/// answer failing a check throws <see cref="InvalidDataException"/> and is never served.
/// </summary>
public static class CertificateFetch
{
    /// <summary>The issued certificate with <see cref="IssuedCertificate.Leaf"/> carrying its private key.</summary>
    public static async Task<IssuedCertificate> FetchAsync(ICertificateAuthorityClient ca, SpiffeId identity, CancellationToken cancellationToken)
    {
        var (key, csr) = CsrBuilder.Create(identity);
        using (key)
        {
            var issued = await ca.SignAsync(identity, csr, cancellationToken).ConfigureAwait(false);
            var leafIdentity = SpiffeCertificate.Identity(issued.Leaf);
            if (leafIdentity != identity)
            {
                throw new InvalidDataException($"the CA returned a certificate for {leafIdentity?.ToString() ?? "no identity"}, not {identity}");
            }
            if (issued.TrustBundle.IsDefaultOrEmpty)
            {
                throw new InvalidDataException("the CA returned no trust bundle");
            }
            X509Certificate2 withKey;
            try
            {
                withKey = issued.Leaf.CopyWithPrivateKey(key);
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException)
            {
                throw new InvalidDataException($"the CA returned a certificate for another key than the CSR's: {e.Message}", e);
            }
            using (withKey)
            {
                // Re-import so the private key lives in a certificate independent of `key` (disposed here) and usable by
                // SslStream on every platform.
                var leaf = X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
                return issued with { Leaf = leaf, Chain = issued.Chain.IsDefault ? [] : issued.Chain };
            }
        }
    }

    /// <summary>When to ask for the next certificate: <paramref name="fraction"/> of the leaf's validity after its start.</summary>
    public static DateTimeOffset RefreshAt(X509Certificate2 leaf, double fraction)
    {
        var notBefore = new DateTimeOffset(leaf.NotBefore.ToUniversalTime());
        var notAfter = new DateTimeOffset(leaf.NotAfter.ToUniversalTime());
        return notBefore + (notAfter - notBefore) * fraction;
    }
}
