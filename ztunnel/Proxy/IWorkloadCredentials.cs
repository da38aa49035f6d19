using Mesh.Core.Identity;
using Mesh.Core.Hbone;

namespace Mesh.Ztunnel.Proxy;

/// <summary>The certificates of the workloads on this node, as HBONE uses them (backed by the identity manager).</summary>
public interface IWorkloadCredentials
{
    /// <summary>The current credential of <paramref name="identity"/>, fetched from the CA on first use.</summary>
    ValueTask<HboneCredential> GetAsync(SpiffeId identity, CancellationToken cancellationToken);

    /// <summary>The current credential if one is cached (the TLS server needs it synchronously).</summary>
    HboneCredential? TryGetCached(SpiffeId identity);
}
