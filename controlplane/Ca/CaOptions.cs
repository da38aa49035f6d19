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
    /// <summary>Fraction of the root's validity at which a successor is made and published (0: rotate by hand only).</summary>
    public double RotateAt { get; init; } = 2.0 / 3;
    /// <summary>How long a new root is in the bundle before it signs (every proxy must have received it by then).</summary>
    public TimeSpan RotationOverlap { get; init; } = TimeSpan.FromMinutes(5);
    /// <summary>How often the rotation looks at the clock and the files.</summary>
    public TimeSpan RotationCheckInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// With a user-supplied root and its key: sign through the control plane's own intermediate of this lifetime
    /// (&lt;state&gt;/ca/intermediate-cert.pem), replaced by a new one at <see cref="RotateAt"/> of its life. Null: the user's
    /// certificate signs itself.
    /// </summary>
    public TimeSpan? IntermediateLifetime { get; init; }

    public RotationPolicy Rotation => new(UserSupplied && IntermediateLifetime is null ? 0 : RotateAt, RotationOverlap, CertTtl);
    /// <summary>A user-supplied signing certificate (root or intermediate, PEM; may include its chain) ...</summary>
    public string? CaCertFile { get; init; }
    /// <summary>... and its private key (PEM, PKCS#8 or SEC1/PKCS#1).</summary>
    public string? CaKeyFile { get; init; }
    /// <summary>The roots to trust when the user-supplied certificate is an intermediate (PEM, 1 or 2 roots).</summary>
    public string? CaBundleFile { get; init; }

    public string CaDirectory => Path.Combine(StateDirectory, "ca");
    /// <summary>Written at every load: the roots proxies must trust (give this path to ztunnel's --ca-bundle).</summary>
    public string TrustBundleFile => Path.Combine(CaDirectory, "trust-bundle.pem");
    /// <summary>The rotation's record: since when the current phase holds, and what each root issued until when.</summary>
    public string RotationFile => Path.Combine(CaDirectory, "rotation.json");
    /// <summary>Instead of the files: a Secret "NAMESPACE/NAME" of type kubernetes.io/tls with ca.crt (cert-manager's), watched for changes.</summary>
    public string? CaSecret { get; init; }
    public bool UserSupplied => CaCertFile is not null || CaSecret is not null;
}
