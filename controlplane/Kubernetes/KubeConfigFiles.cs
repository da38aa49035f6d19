using k8s;
using k8s.KubeConfigModels;

namespace Mesh.ControlPlane.Kubernetes;

/// <summary>
/// What KubernetesClient leaves to its caller for a KUBECONFIG list with an explicit context: the
/// library merges a list only in BuildDefaultConfig (no context argument), so the files are loaded
/// one by one, their relative paths made absolute against their own file, and merged first-wins by
/// name as kubectl does.
/// </summary>
internal static class KubeConfigFiles
{
    public static K8SConfiguration LoadAbsolute(string path)
    {
        var config = KubernetesClientConfiguration.LoadKubeConfig(path, useRelativePaths: true);
        var dir = Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".";
        foreach (var cluster in config.Clusters ?? [])
        {
            if (cluster.ClusterEndpoint is { CertificateAuthority: { Length: > 0 } ca } endpoint)
            {
                endpoint.CertificateAuthority = Path.GetFullPath(ca, dir);
            }
        }

        foreach (var user in config.Users ?? [])
        {
            if (user.UserCredentials is { } credentials)
            {
                credentials.ClientCertificate = credentials.ClientCertificate is { Length: > 0 } cert ? Path.GetFullPath(cert, dir) : credentials.ClientCertificate;
                credentials.ClientKey = credentials.ClientKey is { Length: > 0 } key ? Path.GetFullPath(key, dir) : credentials.ClientKey;
            }
        }

        return config;
    }

    public static K8SConfiguration MergeFirstWins(K8SConfiguration first, K8SConfiguration next)
    {
        first.CurrentContext ??= next.CurrentContext;
        first.Clusters = Merge(first.Clusters, next.Clusters, c => c.Name);
        first.Users = Merge(first.Users, next.Users, u => u.Name);
        first.Contexts = Merge(first.Contexts, next.Contexts, c => c.Name);
        return first;
    }

    private static List<T> Merge<T>(IEnumerable<T>? first, IEnumerable<T>? next, Func<T, string> name)
    {
        var merged = new List<T>(first ?? []);
        var names = merged.Select(name).ToHashSet(StringComparer.Ordinal);
        merged.AddRange((next ?? []).Where(item => names.Add(name(item))));
        return merged;
    }
}
