using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Mesh.ControlPlane.Ca;

/// <summary>
/// Turns a <see cref="UserCaPem"/> into <see cref="CaMaterial"/>, or says why it cannot sign (pure: no files, the
/// time given): the key matches the certificate, the certificate is a CA, valid now, and chains to the 1 or 2 roots given.
/// </summary>
public static class UserCaCheck
{
    /// <summary>The material, or a <see cref="CaException"/> with the reason and what to do.</summary>
    public static CaMaterial Parse(UserCaPem pem, DateTimeOffset now)
    {
        var certs = new X509Certificate2Collection();
        try
        {
            certs.ImportFromPem(pem.CertPem);
            if (certs.Count == 0)
            {
                throw new CaException($"{pem.Origin}: the certificate holds no PEM certificate");
            }
            X509Certificate2 signer;
            try
            {
                signer = X509Certificate2.CreateFromPem(pem.CertPem, pem.KeyPem);
            }
            catch (ArgumentException e)
            {
                throw new CaException($"{pem.Origin}: the key does not match the certificate ({e.Message.Split('\n')[0]}); supply the key the certificate was issued for", e);
            }
            signer = X509CertificateLoader.LoadPkcs12(signer.Export(X509ContentType.Pkcs12), null);
            if (!CertificateIssuer.IsCa(signer))
            {
                throw new CaException($"{pem.Origin}: '{signer.Subject}' is not a CA certificate (basicConstraints CA=true); supply a root or an intermediate");
            }
            if (signer.NotAfter.ToUniversalTime() <= now.UtcDateTime || signer.NotBefore.ToUniversalTime() > now.UtcDateTime)
            {
                throw new CaException($"{pem.Origin}: '{signer.Subject}' is valid {signer.NotBefore.ToUniversalTime():u} to {signer.NotAfter.ToUniversalTime():u}, not now; " +
                    "supply a certificate that is valid now");
            }
            var rest = certs.Skip(1).ToList();
            var roots = new X509Certificate2Collection();
            if (pem.BundlePem is not null)
            {
                roots.ImportFromPem(pem.BundlePem);
            }
            else
            {
                roots.AddRange(certs.Where(CertificateIssuer.IsSelfSigned).ToArray());
            }
            if (roots.Count is 0 or > 2)
            {
                throw new CaException($"{pem.Origin}: found {roots.Count} roots; give the 1 or 2 roots the certificate chains to (--ca-bundle, or the Secret's ca.crt)");
            }
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            chain.ChainPolicy.VerificationTimeIgnored = false;
            chain.ChainPolicy.VerificationTime = now.UtcDateTime;
            chain.ChainPolicy.CustomTrustStore.AddRange(roots);
            chain.ChainPolicy.ExtraStore.AddRange(rest.ToArray());
            if (!chain.Build(signer))
            {
                throw new CaException($"{pem.Origin}: '{signer.Subject}' does not chain to the roots given " +
                    $"({string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()))}); check the roots (--ca-bundle, or ca.crt)");
            }
            return new CaMaterial(signer, [.. rest.Where(c => !CertificateIssuer.IsSelfSigned(c))], [.. roots]);
        }
        catch (CryptographicException e)
        {
            throw new CaException($"{pem.Origin}: cannot load the certificate or key: {e.Message}", e);
        }
    }
}
