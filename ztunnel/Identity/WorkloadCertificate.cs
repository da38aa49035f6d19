using System.Collections.Immutable;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Mesh.Core.Identity;

namespace Mesh.Ztunnel.Identity;

/// <summary>
/// A workload's certificate as the data path uses it: the leaf with its private key (kept in memory only), the
/// intermediates up to the root, and the trust bundle peers are checked against. Immutable; a rotation makes a
/// new one and connections that hold this one keep working.
/// </summary>
public sealed class WorkloadCertificate
{
    private SslStreamCertificateContext? _context;

    public WorkloadCertificate(SpiffeId identity, X509Certificate2 certificate, ImmutableArray<X509Certificate2> chain,
        ImmutableArray<X509Certificate2> trustBundle, DateTimeOffset refreshAt)
    {
        Identity = identity;
        Certificate = certificate;
        Chain = chain;
        TrustBundle = trustBundle;
        RefreshAt = refreshAt;
    }

    public SpiffeId Identity { get; }

    /// <summary>The leaf, with its ECDSA P-256 private key.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>Intermediates from the leaf's issuer upwards (may be empty when the root signs directly).</summary>
    public ImmutableArray<X509Certificate2> Chain { get; }

    /// <summary>The roots peers' certificates must chain to (two during a root rotation).</summary>
    public ImmutableArray<X509Certificate2> TrustBundle { get; }

    public DateTimeOffset NotBefore => new(Certificate.NotBefore.ToUniversalTime());
    public DateTimeOffset NotAfter => new(Certificate.NotAfter.ToUniversalTime());

    /// <summary>When the manager asks for the next certificate (about half of the lifetime).</summary>
    public DateTimeOffset RefreshAt { get; }

    public bool IsValidAt(DateTimeOffset now) => now >= NotBefore && now < NotAfter;

    /// <summary>The leaf and its chain for SslStream (client or server side), built once and shared.</summary>
    public SslStreamCertificateContext SslContext =>
        _context ??= SslStreamCertificateContext.Create(Certificate, new X509Certificate2Collection(Chain.ToArray()), offline: true);
}
