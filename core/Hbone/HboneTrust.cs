using System.Collections.Immutable;
using System.Security.Cryptography.X509Certificates;
using Mesh.Core.Identity;

namespace Mesh.Core.Hbone;

/// <summary>
/// Peer certificate checks for both HBONE roles: the chain must build to a root of the mesh trust bundle
/// (X509Chain with CustomRootTrust, no system roots, no revocation lookups), at the given time, and the leaf
/// must carry exactly one SPIFFE identity.
/// </summary>
public static class HboneTrust
{
    public static HbonePeerCheck Check(
        X509Certificate? certificate,
        X509Chain? presented,
        ImmutableArray<X509Certificate2> trustBundle,
        DateTimeOffset now,
        SpiffeId? expected,
        out SpiffeId? identity)
    {
        identity = null;
        if (certificate is null)
        {
            return HbonePeerCheck.NoCertificate;
        }
        var leaf = certificate as X509Certificate2 ?? new X509Certificate2(certificate);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = now.UtcDateTime;
        chain.ChainPolicy.VerificationTimeIgnored = false;
        chain.ChainPolicy.CustomTrustStore.AddRange(trustBundle.ToArray());
        if (presented is not null)
        {
            chain.ChainPolicy.ExtraStore.AddRange(presented.ChainPolicy.ExtraStore);
            foreach (var element in presented.ChainElements)
            {
                if (!element.Certificate.RawDataMemory.Span.SequenceEqual(leaf.RawDataMemory.Span))
                {
                    chain.ChainPolicy.ExtraStore.Add(element.Certificate);
                }
            }
        }
        if (!chain.Build(leaf))
        {
            foreach (var status in chain.ChainStatus)
            {
                if (status.Status.HasFlag(X509ChainStatusFlags.NotTimeValid))
                {
                    return HbonePeerCheck.Expired;
                }
            }
            return HbonePeerCheck.Untrusted;
        }
        identity = SpiffeCertificate.Identity(leaf);
        if (identity is null)
        {
            return HbonePeerCheck.NoIdentity;
        }
        return expected is { } e && e != identity ? HbonePeerCheck.IdentityMismatch : HbonePeerCheck.Trusted;
    }
}
