using System.Collections.Immutable;
using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Mesh.Core.Identity;

namespace Mesh.Tests.Common;

/// <summary>
/// An in-process CA that stands in for the control plane's CA in tests: a real ECDSA P-256 root and intermediate,
/// and real signing of the PKCS#10 requests it receives (signature checked, exactly one URI SAN that must equal the
/// identity asked for). Leaves get the usages mTLS needs. It can be told to fail or to hold requests, and counts them.
/// </summary>
public sealed class TestCertificateAuthority : ICertificateAuthorityClient, IDisposable
{
    private readonly TimeProvider _time;
    private readonly ECDsa _rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly ECDsa _intermediateKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private int _failuresLeft;
    private int _requests;
    private long _serial;

    public TestCertificateAuthority(TimeProvider time, TimeSpan leafLifetime, string name = "Mesh Test CA")
    {
        _time = time;
        LeafLifetime = leafLifetime;
        var now = time.GetUtcNow();
        var rootRequest = new CertificateRequest($"CN={name} Root, O=Mesh", _rootKey, HashAlgorithmName.SHA256);
        rootRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 1, true));
        rootRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        rootRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(rootRequest.PublicKey, false));
        Root = rootRequest.CreateSelfSigned(now.AddDays(-1), now.AddYears(10));

        var intermediateRequest = new CertificateRequest($"CN={name} Intermediate, O=Mesh", _intermediateKey, HashAlgorithmName.SHA256);
        intermediateRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        intermediateRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        intermediateRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(intermediateRequest.PublicKey, false));
        intermediateRequest.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Root, true, false));
        using var intermediate = intermediateRequest.Create(Root, now.AddDays(-1), now.AddYears(5), [1]);
        Intermediate = intermediate.CopyWithPrivateKey(_intermediateKey);
    }

    public X509Certificate2 Root { get; }
    public X509Certificate2 Intermediate { get; }
    public TimeSpan LeafLifetime { get; set; }

    /// <summary>Signing requests received (including failed and held ones).</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>When set, requests wait for this task before they are answered.</summary>
    public Task? Hold { get; set; }

    /// <summary>Makes the next <paramref name="count"/> requests fail.</summary>
    public void FailNext(int count) => Volatile.Write(ref _failuresLeft, count);

    public async Task<IssuedCertificate> SignAsync(SpiffeId identity, byte[] csrDer, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _requests);
        if (Hold is { } hold)
        {
            await hold.WaitAsync(cancellationToken);
        }
        if (Interlocked.Decrement(ref _failuresLeft) >= 0)
        {
            throw new InvalidOperationException("test CA told to fail");
        }
        Interlocked.Exchange(ref _failuresLeft, 0);
        var request = CertificateRequest.LoadSigningRequest(csrDer, HashAlgorithmName.SHA256,
            CertificateRequestLoadOptions.UnsafeLoadCertificateExtensions);
        var uris = UriSans(request);
        if (uris.Count != 1 || uris[0] != identity.ToString())
        {
            throw new InvalidOperationException($"CSR SANs [{string.Join(", ", uris)}] do not name exactly {identity}");
        }
        var leafRequest = new CertificateRequest(new X500DistinguishedName(""), request.PublicKey, HashAlgorithmName.SHA256);
        foreach (var ext in request.CertificateExtensions)
        {
            leafRequest.CertificateExtensions.Add(ext);
        }
        leafRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        leafRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        leafRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
        leafRequest.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Intermediate, true, false));
        var now = _time.GetUtcNow();
        var serial = BitConverter.GetBytes(Interlocked.Increment(ref _serial) + 100);
        var leaf = leafRequest.Create(Intermediate.SubjectName, X509SignatureGenerator.CreateForECDsa(_intermediateKey),
            now.AddMinutes(-1), now + LeafLifetime, serial);
        return new IssuedCertificate(leaf, [Intermediate], [Root]);
    }

    private static List<string> UriSans(CertificateRequest request)
    {
        var list = new List<string>();
        foreach (var ext in request.CertificateExtensions)
        {
            if (ext.Oid?.Value != "2.5.29.17")
            {
                continue;
            }
            var seq = new AsnReader(ext.RawData, AsnEncodingRules.DER).ReadSequence();
            while (seq.HasData)
            {
                var tag = seq.PeekTag();
                if (tag.HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 6)))
                {
                    list.Add(seq.ReadCharacterString(UniversalTagNumber.IA5String, new Asn1Tag(TagClass.ContextSpecific, 6)));
                }
                else
                {
                    seq.ReadEncodedValue();
                }
            }
        }
        return list;
    }

    public void Dispose()
    {
        _rootKey.Dispose();
        _intermediateKey.Dispose();
    }
}
