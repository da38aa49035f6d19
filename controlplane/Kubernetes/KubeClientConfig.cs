using System.Security.Cryptography.X509Certificates;

namespace Mesh.ControlPlane.Kubernetes;

/// <summary>
/// How to reach and authenticate to one Kubernetes API server: the effective result of reading a
/// kubeconfig or the in-cluster service account. Build it with <see cref="KubeconfigLoader"/> or
/// <see cref="InClusterConfigLoader"/>, or <see cref="FromEnvironment"/> which picks one.
/// </summary>
public sealed record KubeClientConfig
{
    /// <summary>The API server base address, e.g. https://10.96.0.1:443.</summary>
    public required Uri Server { get; init; }

    /// <summary>Roots to trust for the server certificate instead of the system store (null: system store).</summary>
    public X509Certificate2Collection? CertificateAuthority { get; init; }

    /// <summary>Skip server certificate validation entirely (kubeconfig insecure-skip-tls-verify).</summary>
    public bool InsecureSkipTlsVerify { get; init; }

    /// <summary>Name to expect in the server certificate instead of the host of <see cref="Server"/>.</summary>
    public string? TlsServerName { get; init; }

    /// <summary>A fixed bearer token (kubeconfig user.token).</summary>
    public string? Token { get; init; }

    /// <summary>A file holding the bearer token, re-read periodically (projected service account tokens rotate).</summary>
    public string? TokenFile { get; init; }

    /// <summary>Client certificate with its private key for mTLS authentication.</summary>
    public X509Certificate2? ClientCertificate { get; init; }

    /// <summary>The namespace of the context or of the service account.</summary>
    public string Namespace { get; init; } = "default";

    /// <summary>Where this came from, for the startup log line (e.g. "kubeconfig /root/.kube/config context kind-mesh").</summary>
    public string Source { get; init; } = "";

    /// <summary>
    /// In-cluster configuration when KUBERNETES_SERVICE_HOST is set, otherwise the kubeconfig from
    /// KUBECONFIG or ~/.kube/config.
    /// </summary>
    public static KubeClientConfig FromEnvironment(string? context = null)
    {
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable(InClusterConfigLoader.HostVariable)))
        {
            return InClusterConfigLoader.Load();
        }

        return KubeconfigLoader.LoadDefault(context);
    }

    public override string ToString() =>
        $"{Server} ({Source}; auth: {(ClientCertificate is not null ? "client certificate" : TokenFile is not null ? "token file" : Token is not null ? "token" : "none")}" +
        $"{(InsecureSkipTlsVerify ? "; TLS verification off" : CertificateAuthority is not null ? "; custom CA" : "")})";
}
