using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Mesh.Core.Identity;

namespace Mesh.ControlPlane.Ca;

/// <summary>Builds certificates: roots, intermediates, and SPIFFE leaves (X.509-SVIDs) for a public key.</summary>
public static class CertificateIssuer
{
    private static readonly Oid ServerAuth = new("1.3.6.1.5.5.7.3.1");
    private static readonly Oid ClientAuth = new("1.3.6.1.5.5.7.3.2");

    /// <summary>A new self-signed ECDSA P-256 root valid for <paramref name="lifetime"/>.</summary>
    public static X509Certificate2 CreateRoot(string trustDomain, DateTimeOffset now, TimeSpan lifetime)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = new CertificateRequest($"CN=Mesh Root CA {now:yyyy-MM-dd'T'HH:mm:ss} {Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}, O={trustDomain}", key, HashAlgorithmName.SHA256);
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 1, true));
        req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        req.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(req.PublicKey, false));
        using var cert = req.CreateSelfSigned(now - Backdate(lifetime), now + lifetime);
        return X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pkcs12), null, X509KeyStorageFlags.Exportable);
    }

    /// <summary>
    /// A new ECDSA P-256 intermediate (CA, path length 0) signed by <paramref name="root"/> (ECDSA or RSA key), valid for
    /// <paramref name="lifetime"/> but never past the root's expiry: the control plane's own signer under a user's root.
    /// </summary>
    public static X509Certificate2 CreateIntermediate(X509Certificate2 root, string trustDomain, DateTimeOffset now, TimeSpan lifetime)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = new CertificateRequest($"CN=Mesh Intermediate CA {now:yyyy-MM-dd'T'HH:mm:ss} {Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}, O={trustDomain}", key, HashAlgorithmName.SHA256);
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        req.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(req.PublicKey, false));
        req.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(root, true, false));
        var notAfter = now + lifetime < root.NotAfter ? now + lifetime : new DateTimeOffset(root.NotAfter.ToUniversalTime());
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        using var cert = req.Create(root.SubjectName, Generator(root), now - Backdate(lifetime), notAfter, serial);
        using var withKey = cert.CopyWithPrivateKey(key);
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null, X509KeyStorageFlags.Exportable);
    }

    /// <summary>
    /// A leaf for <paramref name="identity"/> signed by <paramref name="signer"/>: empty subject, the
    /// identity as the only (critical) URI SAN plus <paramref name="dnsNames"/>, client+server auth,
    /// valid from <see cref="Backdate"/> ago (clock skew) for <paramref name="ttl"/>, never past the signer's expiry.
    /// </summary>
    public static X509Certificate2 IssueLeaf(X509Certificate2 signer, PublicKey publicKey, SpiffeId identity, DateTimeOffset now,
        TimeSpan ttl, IEnumerable<string>? dnsNames = null)
    {
        var req = new CertificateRequest(new X500DistinguishedName(""), publicKey, HashAlgorithmName.SHA256);
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        var usage = publicKey.GetRSAPublicKey() is null
            ? X509KeyUsageFlags.DigitalSignature
            : X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment;
        req.CertificateExtensions.Add(new X509KeyUsageExtension(usage, true));
        req.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([ServerAuth, ClientAuth], false));
        var san = new SubjectAlternativeNameBuilder();
        san.AddUri(new Uri(identity.ToString()));
        foreach (var dns in dnsNames ?? [])
        {
            san.AddDnsName(dns);
        }
        var sanExt = san.Build(critical: true);
        req.CertificateExtensions.Add(sanExt);
        req.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(publicKey, false));
        req.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(signer, true, false));

        var notAfter = now + ttl;
        if (notAfter > signer.NotAfter)
        {
            notAfter = signer.NotAfter;
        }
        var serial = new byte[16];
        RandomNumberGenerator.Fill(serial);
        serial[0] &= 0x7F;
        return req.Create(signer.SubjectName, Generator(signer), now - Backdate(ttl), notAfter, serial);
    }

    private static X509SignatureGenerator Generator(X509Certificate2 signer) =>
        signer.GetECDsaPrivateKey() is { } ec
            ? X509SignatureGenerator.CreateForECDsa(ec)
            : X509SignatureGenerator.CreateForRSA(signer.GetRSAPrivateKey()
                ?? throw new CaException("the CA certificate has no usable private key"), RSASignaturePadding.Pkcs1);

    /// <summary>A fresh ECDSA P-256 key and a leaf for it (the control plane's own serving certificate).</summary>
    public static X509Certificate2 IssueWithNewKey(X509Certificate2 signer, SpiffeId identity, DateTimeOffset now, TimeSpan ttl,
        IEnumerable<string> dnsNames)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = new CertificateRequest("", key, HashAlgorithmName.SHA256);
        using var leaf = IssueLeaf(signer, req.PublicKey, identity, now, ttl, dnsNames);
        using var withKey = leaf.CopyWithPrivateKey(key);
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>
    /// How far back a certificate's validity starts (clock skew between nodes): 5 minutes, or a tenth of a short
    /// lifetime, so a certificate of seconds is not renewed at once (renewal is at half of NotBefore..NotAfter).
    /// </summary>
    public static TimeSpan Backdate(TimeSpan lifetime) => lifetime / 10 < TimeSpan.FromMinutes(5) ? lifetime / 10 : TimeSpan.FromMinutes(5);

    /// <summary>True when <paramref name="cert"/> has basicConstraints CA=true.</summary>
    public static bool IsCa(X509Certificate2 cert) =>
        cert.Extensions.OfType<X509BasicConstraintsExtension>().Any(b => b.CertificateAuthority);

    internal static bool IsSelfSigned(X509Certificate2 cert) => cert.SubjectName.RawData.AsSpan().SequenceEqual(cert.IssuerName.RawData);
}
