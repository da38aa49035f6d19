using Mesh.Core;

namespace Mesh.ControlPlane.Ca;

/// <summary>Where the CA keeps its root and what it issues.</summary>
public sealed record CaOptions
{
    /// <summary>The control plane's state folder; the CA uses &lt;state&gt;/ca/.</summary>
    public required string StateDirectory { get; init; }
    public string TrustDomain { get; init; } = MeshLabels.DefaultTrustDomain;
    public TimeSpan CertTtl { get; init; } = TimeSpan.FromHours(24);
    public TimeSpan RootLifetime { get; init; } = TimeSpan.FromDays(3650);
    /// <summary>A user-supplied signing certificate (root or intermediate, PEM; may include its chain) ...</summary>
    public string? CaCertFile { get; init; }
    /// <summary>... and its private key (PEM, PKCS#8 or SEC1/PKCS#1).</summary>
    public string? CaKeyFile { get; init; }
    /// <summary>The roots to trust when the user-supplied certificate is an intermediate (PEM, 1 or 2 roots).</summary>
    public string? CaBundleFile { get; init; }

    public string CaDirectory => Path.Combine(StateDirectory, "ca");
    /// <summary>Written at every load: the roots proxies must trust (give this path to ztunnel's --ca-bundle).</summary>
    public string TrustBundleFile => Path.Combine(CaDirectory, "trust-bundle.pem");
    public bool UserSupplied => CaCertFile is not null;
}
