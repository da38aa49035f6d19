using System.Collections.Immutable;
using System.Security.Cryptography.X509Certificates;

namespace Mesh.Core.Identity;

/// <summary>What the CA returns: the leaf (public part), the intermediates up to the root, and the trust bundle (1 or 2 roots).</summary>
public sealed record IssuedCertificate(
    X509Certificate2 Leaf,
    ImmutableArray<X509Certificate2> Chain,
    ImmutableArray<X509Certificate2> TrustBundle);
