using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Mesh.ControlPlane.Ca;
using Mesh.Core.Identity;

namespace Mesh.ControlPlane.Hosting;

/// <summary>
/// The control plane's own TLS certificate on the discovery/CA port, issued by the mesh CA for the control
/// plane's SPIFFE id. Renewed when half its lifetime has passed or the CA's signer changed (root rotation).
/// </summary>
public sealed class ServingCertificate(CertificateAuthority ca, SpiffeId identity, IReadOnlyList<string> dnsNames, TimeProvider time)
{
    private readonly Lock _lock = new();
    private volatile Issued? _current;

    private sealed record Issued(SslStreamCertificateContext Context, X509Certificate2 Leaf, string Signer, DateTimeOffset RenewAt);

    public SpiffeId Identity => identity;

    public SslStreamCertificateContext Current
    {
        get
        {
            var material = ca.Store.Current;
            var c = _current;
            if (c is not null && c.Signer == material.Signer.Thumbprint && time.GetUtcNow() < c.RenewAt)
            {
                return c.Context;
            }
            lock (_lock)
            {
                c = _current;
                if (c is not null && c.Signer == material.Signer.Thumbprint && time.GetUtcNow() < c.RenewAt)
                {
                    return c.Context;
                }
                var leaf = ca.IssueServing(identity, dnsNames);
                var context = SslStreamCertificateContext.Create(leaf, new X509Certificate2Collection(material.ChainFor().ToArray()), offline: true);
                var renewAt = leaf.NotBefore.ToUniversalTime() + (leaf.NotAfter - leaf.NotBefore) / 2;
                _current = new Issued(context, leaf, material.Signer.Thumbprint, renewAt);
                return context;
            }
        }
    }
}
