using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Mesh.Tests.Common;

/// <summary>
/// A throwaway certificate authority for tests: an ECDSA P-256 root made with <see cref="CertificateRequest"/>,
/// issuing leaf certificates with one URI SAN (a SPIFFE id) and both server and client auth.
/// </summary>
public sealed class TestCa : IDisposable
{
    private readonly X509Certificate2 _root;

    private TestCa(X509Certificate2 root) => _root = root;

    /// <summary>The root without its private key (what goes in a trust bundle).</summary>
    public X509Certificate2 Root { get; private init; } = null!;

    public static TestCa Create(string name = "Mesh Test Root")
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}, O=mesh-test", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        var root = request.CreateSelfSigned(now.AddDays(-30), now.AddYears(1));
        return new TestCa(root) { Root = X509CertificateLoader.LoadCertificate(root.RawData) };
    }

    /// <summary>A CA from a root's PEM files (e.g. the lab control plane's own root, to issue a workload certificate the mesh trusts).</summary>
    public static TestCa FromPemFiles(string certPem, string keyPem)
    {
        var root = X509Certificate2.CreateFromPemFile(certPem, keyPem);
        return new TestCa(root) { Root = X509CertificateLoader.LoadCertificate(root.RawData) };
    }

    /// <summary>A leaf for <paramref name="uri"/> (e.g. spiffe://cluster.local/ns/a/sa/b) with its private key.</summary>
    public X509Certificate2 Issue(string uri, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("O=mesh-test", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyAgreement, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
        var san = new SubjectAlternativeNameBuilder();
        san.AddUri(new Uri(uri));
        request.CertificateExtensions.Add(san.Build(true));
        var now = DateTimeOffset.UtcNow;
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        using var issued = request.Create(_root, notBefore ?? now.AddMinutes(-5), notAfter ?? now.AddHours(24), serial);
        return issued.CopyWithPrivateKey(key);
    }

    /// <summary>
    /// An intermediate CA signed by this root (as cert-manager or a user's PKI issues one), as PEM: the certificate and
    /// its PKCS#8 key.
    /// </summary>
    public (string CertPem, string KeyPem) IssueIntermediatePem(string name, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}, O=mesh-test", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        using var issued = request.Create(_root, notBefore ?? now.AddMinutes(-5), notAfter ?? now.AddDays(30), serial);
        return (issued.ExportCertificatePem() + "\n", key.ExportPkcs8PrivateKeyPem() + "\n");
    }

    /// <summary>The root as PEM (what goes in --ca-bundle or a Secret's ca.crt).</summary>
    public string RootPem => Root.ExportCertificatePem() + "\n";

    public void Dispose()
    {
        _root.Dispose();
        Root.Dispose();
    }
}
