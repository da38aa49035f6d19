using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Mesh.ControlPlane.Kubernetes;

/// <summary>
/// Reads the in-cluster service account: KUBERNETES_SERVICE_HOST/PORT, and token, ca.crt and
/// namespace from /var/run/secrets/kubernetes.io/serviceaccount. The token is not read here but
/// by <see cref="KubeTokenSource"/> on a schedule, because projected tokens rotate.
/// </summary>
public static class InClusterConfigLoader
{
    public const string HostVariable = "KUBERNETES_SERVICE_HOST";
    public const string PortVariable = "KUBERNETES_SERVICE_PORT";
    public const string DefaultServiceAccountDirectory = "/var/run/secrets/kubernetes.io/serviceaccount";

    public static KubeClientConfig Load() =>
        Load(DefaultServiceAccountDirectory, Environment.GetEnvironmentVariable);

    /// <summary>Loads from an explicit folder and environment lookup (tests point these at temp files).</summary>
    public static KubeClientConfig Load(string serviceAccountDirectory, Func<string, string?> environment)
    {
        var host = environment(HostVariable);
        var port = environment(PortVariable);
        if (string.IsNullOrWhiteSpace(host) || string.IsNullOrWhiteSpace(port))
        {
            throw new KubeConfigException(
                $"In-cluster configuration needs {HostVariable} and {PortVariable}; they are set by Kubernetes in every pod. " +
                "Outside a cluster, point KUBECONFIG at a kubeconfig file instead.");
        }

        if (!int.TryParse(port, out var portNumber) || portNumber is < 1 or > 65535)
        {
            throw new KubeConfigException($"{PortVariable}='{port}' is not a TCP port number.");
        }

        var hostPart = IPAddress.TryParse(host, out var ip) && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
            ? $"[{host}]"
            : host;
        var tokenFile = Path.Combine(serviceAccountDirectory, "token");
        var caFile = Path.Combine(serviceAccountDirectory, "ca.crt");
        var namespaceFile = Path.Combine(serviceAccountDirectory, "namespace");
        if (!File.Exists(tokenFile))
        {
            throw new KubeConfigException(
                $"The service account token {tokenFile} does not exist. Mount the service account token into the pod " +
                "(automountServiceAccountToken: true) or use a kubeconfig.");
        }

        if (!File.Exists(caFile))
        {
            throw new KubeConfigException($"The service account CA bundle {caFile} does not exist; it is mounted next to the token by Kubernetes.");
        }

        var ca = new X509Certificate2Collection();
        try
        {
            ca.ImportFromPemFile(caFile);
        }
        catch (CryptographicException e)
        {
            throw new KubeConfigException($"The service account CA bundle {caFile} is not a PEM certificate bundle: {e.Message}", e);
        }

        if (ca.Count == 0)
        {
            throw new KubeConfigException($"The service account CA bundle {caFile} holds no PEM certificate.");
        }

        var ns = File.Exists(namespaceFile) ? File.ReadAllText(namespaceFile).Trim() : "";
        return new KubeClientConfig
        {
            Server = new Uri($"https://{hostPart}:{portNumber}"),
            CertificateAuthority = ca,
            TokenFile = tokenFile,
            Namespace = ns.Length > 0 ? ns : "default",
            Source = $"in-cluster service account {serviceAccountDirectory}",
        };
    }
}
