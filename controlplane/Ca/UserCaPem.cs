using System.Security.Cryptography;
using System.Text;

namespace Mesh.ControlPlane.Ca;

/// <summary>
/// A user-supplied signing CA as text, wherever it came from: --ca-cert/--ca-key/--ca-bundle files, or a Kubernetes
/// Secret of type kubernetes.io/tls with ca.crt (tls.crt, tls.key, ca.crt, as cert-manager writes it).
/// <see cref="Sha256"/> tells one version from the next (the reload compares contents, not file times).
/// </summary>
/// <param name="CertPem">The signing certificate first, then its intermediates (PEM).</param>
/// <param name="KeyPem">The signing certificate's private key (PEM, PKCS#8 or SEC1/PKCS#1).</param>
/// <param name="BundlePem">The roots it chains to (1 or 2); null to take the self-signed certificates of <see cref="CertPem"/>.</param>
/// <param name="Origin">Where it came from, for messages ("--ca-cert 'a' / --ca-key 'b'", "Secret mesh-system/ca").</param>
public sealed record UserCaPem(string CertPem, string KeyPem, string? BundlePem, string Origin)
{
    public const string SecretCert = "tls.crt";
    public const string SecretKey = "tls.key";
    public const string SecretRoots = "ca.crt";

    public string Sha256 { get; } = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{CertPem}\0{KeyPem}\0{BundlePem}")));

    /// <summary>The files named by --ca-cert/--ca-key/--ca-bundle, read now.</summary>
    public static UserCaPem FromFiles(string certFile, string keyFile, string? bundleFile) =>
        new(File.ReadAllText(certFile), File.ReadAllText(keyFile), bundleFile is null ? null : File.ReadAllText(bundleFile),
            $"--ca-cert '{certFile}' / --ca-key '{keyFile}'{(bundleFile is null ? "" : $" / --ca-bundle '{bundleFile}'")}");

    /// <summary>A Secret's data (values already decoded); a missing key is a <see cref="CaException"/> that names it.</summary>
    public static UserCaPem FromSecret(string secret, IReadOnlyDictionary<string, byte[]> data)
    {
        string Get(string key) => data.TryGetValue(key, out var v) && v.Length > 0 ? Encoding.UTF8.GetString(v)
            : throw new CaException($"Secret {secret} has no '{key}'; it must be of type kubernetes.io/tls with ca.crt (tls.crt, tls.key, ca.crt), as cert-manager writes a CA Certificate");
        return new UserCaPem(Get(SecretCert), Get(SecretKey), Get(SecretRoots), $"Secret {secret}");
    }
}
