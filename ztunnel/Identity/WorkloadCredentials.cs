using System.Runtime.CompilerServices;
using Mesh.Core.Identity;
using Mesh.Core.Hbone;
using Mesh.Ztunnel.Proxy;

namespace Mesh.Ztunnel.Identity;

/// <summary>
/// HBONE credentials over the <see cref="IdentityManager"/>: one <see cref="HboneCredential"/> per issued
/// certificate (made once, so the TLS context is built once per rotation, not per connection), verifying peers
/// against the node's held <see cref="TrustAnchors"/> (the bundle from discovery) when given.
/// </summary>
public sealed class WorkloadCredentials(IdentityManager identities, TrustAnchors? anchors = null) : IWorkloadCredentials
{
    private readonly ConditionalWeakTable<WorkloadCertificate, HboneCredential> _made = new();

    public async ValueTask<HboneCredential> GetAsync(SpiffeId identity, CancellationToken cancellationToken) =>
        For(await identities.GetAsync(identity, cancellationToken).ConfigureAwait(false));

    public HboneCredential? TryGetCached(SpiffeId identity) =>
        identities.TryGetCurrent(identity, out var certificate) ? For(certificate) : null;

    private HboneCredential For(WorkloadCertificate c) =>
        _made.GetValue(c, c => anchors is null ? new HboneCredential(c.Certificate, c.Chain, c.TrustBundle) : new HboneCredential(c.Certificate, c.Chain, anchors));
}
