using System.Collections.Immutable;
using System.Security.Cryptography.X509Certificates;

namespace Mesh.ControlPlane.Ca;

/// <summary>
/// What the CA signs with (immutable, swapped whole on rotation): the signing certificate with its key
/// (a root, or a user-supplied intermediate), the intermediates between it and the root (empty when the
/// signer is the root) and the trust bundle (one root, two during a rotation's overlap).
/// </summary>
public sealed record CaMaterial(X509Certificate2 Signer, ImmutableArray<X509Certificate2> Intermediates,
    ImmutableArray<X509Certificate2> TrustBundle)
{
    /// <summary>The chain a leaf is sent with: its issuer and the issuer's intermediates, not the root.</summary>
    public ImmutableArray<X509Certificate2> ChainFor()
    {
        var selfSigned = Signer.SubjectName.RawData.AsSpan().SequenceEqual(Signer.IssuerName.RawData);
        return selfSigned ? [] : [Signer, .. Intermediates];
    }

    /// <summary>The root the signer's certificates chain to: the signer itself when self-signed, else the bundle's root
    /// that issued the top of the chain (the first root when that cannot be told).</summary>
    public X509Certificate2 Root
    {
        get
        {
            var top = Intermediates.IsDefaultOrEmpty ? Signer : Intermediates[^1];
            if (top.SubjectName.RawData.AsSpan().SequenceEqual(top.IssuerName.RawData))
            {
                return top;
            }
            return TrustBundle.FirstOrDefault(r => r.SubjectName.RawData.AsSpan().SequenceEqual(top.IssuerName.RawData)) ?? TrustBundle[0];
        }
    }

    public string TrustBundlePem() => string.Concat(TrustBundle.Select(c => c.ExportCertificatePem() + "\n"));
}
