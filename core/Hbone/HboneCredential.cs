using System.Collections.Immutable;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Mesh.Core.Identity;

namespace Mesh.Core.Hbone;

/// <summary>
/// A workload's TLS identity for HBONE: its leaf certificate with the private key, the intermediates up to
/// the root, and the proxy's trust anchors (one or two roots during a rotation) peers are checked against. The
/// certificate is immutable: a renewal makes a new credential; connections already open keep the one they started
/// with. The anchors are read at each handshake, so a new trust bundle applies to the next one.
/// </summary>
public sealed class HboneCredential
{
    private readonly Lazy<SslStreamCertificateContext> _context;

    public HboneCredential(X509Certificate2 certificate, ImmutableArray<X509Certificate2> chain, ImmutableArray<X509Certificate2> trustBundle)
        : this(certificate, chain, trustBundle.IsDefaultOrEmpty
            ? throw new ArgumentException("the trust bundle is empty; pass the mesh root certificate(s)", nameof(trustBundle))
            : TrustAnchors.Fixed(trustBundle))
    {
    }

    /// <summary>A credential whose peers are verified against the proxy's held <paramref name="anchors"/> at each handshake.</summary>
    public HboneCredential(X509Certificate2 certificate, ImmutableArray<X509Certificate2> chain, TrustAnchors anchors)
    {
        if (!certificate.HasPrivateKey)
        {
            throw new ArgumentException($"certificate {certificate.Subject} has no private key; HBONE needs the key of the workload certificate", nameof(certificate));
        }
        Identity = SpiffeCertificate.Identity(certificate) ?? throw new ArgumentException(
            $"certificate {certificate.Subject} has no single spiffe:// URI SAN; HBONE needs a workload identity certificate", nameof(certificate));
        Certificate = certificate;
        Chain = chain.IsDefault ? [] : chain;
        Anchors = anchors;
        _context = new Lazy<SslStreamCertificateContext>(() =>
            SslStreamCertificateContext.Create(Certificate, new X509Certificate2Collection(Chain.ToArray()), offline: true));
    }

    public SpiffeId Identity { get; }

    public X509Certificate2 Certificate { get; }

    public ImmutableArray<X509Certificate2> Chain { get; }

    /// <summary>The roots peers are checked against now: read at every handshake, so a new bundle applies at once.</summary>
    public ImmutableArray<X509Certificate2> TrustBundle => Anchors.Current;

    public TrustAnchors Anchors { get; }

    /// <summary>The certificate and chain as TLS sends them (built once).</summary>
    public SslStreamCertificateContext Context => _context.Value;
}

/// <summary>
/// The credential an inbound HBONE connection is served with, awaited within the handshake timeout (a connection may
/// arrive while its workload's certificate is still being issued). Throws when there is none to be had.
/// </summary>
public delegate ValueTask<HboneCredential> HboneCredentialSource(CancellationToken cancellationToken);
