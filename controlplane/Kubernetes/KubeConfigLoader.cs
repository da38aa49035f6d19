using k8s;
using k8s.KubeConfigModels;

namespace Mesh.ControlPlane.Kubernetes;

/// <summary>
/// Chooses and loads the API server connection with KubernetesClient's
/// <see cref="KubernetesClientConfiguration"/>: an explicit kubeconfig file; else in-cluster (service
/// account token re-read every minute by the library, its ca.crt as the trusted root) when
/// KUBERNETES_SERVICE_HOST and the mounted token exist; else KUBECONFIG (a colon list merged
/// first-wins, as kubectl does) or ~/.kube/config. Every auth mode the library has works: token,
/// client certificate, exec credential plugins (EKS, GKE, AKS kubelogin; re-run when their credential
/// expires) and the OIDC auth provider. Any failure is one <see cref="KubeConfigException"/> line
/// naming the file, the context and what to do.
/// </summary>
public static class KubeConfigLoader
{
    /// <summary>The connection for <c>--kubeconfig</c>/<c>--kube-context</c> (both optional).</summary>
    public static KubernetesClientConfiguration Load(string? kubeconfig = null, string? context = null)
    {
        if (kubeconfig is not null)
        {
            return LoadFiles([kubeconfig], context);
        }

        if (context is null && KubernetesClientConfiguration.IsInCluster())
        {
            return Wrap("in-cluster service account", null, KubernetesClientConfiguration.InClusterConfig);
        }

        var variable = Environment.GetEnvironmentVariable("KUBECONFIG");
        IReadOnlyList<string> paths = string.IsNullOrWhiteSpace(variable)
            ? [KubernetesClientConfiguration.KubeConfigDefaultLocation]
            : variable.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return LoadFiles(paths, context);
    }

    /// <summary>Loads kubeconfig files (missing ones skipped, as kubectl does) merged first-wins, at the current or the named context.</summary>
    public static KubernetesClientConfiguration LoadFiles(IReadOnlyList<string> paths, string? context = null)
    {
        var existing = paths.Where(File.Exists).ToList();
        if (existing.Count == 0)
        {
            throw new KubeConfigException(
                $"no kubeconfig found at {string.Join(", ", paths)}; set KUBECONFIG or pass --kubeconfig FILE " +
                "(for kind: kind get kubeconfig --name <cluster> > FILE), or run inside a cluster");
        }

        var source = string.Join(", ", existing);
        return Wrap($"kubeconfig {source}", context, () =>
        {
            var merged = existing.Select(p => KubeConfigFiles.LoadAbsolute(p)).Aggregate(KubeConfigFiles.MergeFirstWins);
            if ((context ?? merged.CurrentContext) is not { Length: > 0 } name)
            {
                throw new KubeConfigException($"kubeconfig {source} has no current-context; run `kubectl config use-context NAME` or pass --kube-context NAME");
            }

            if (merged.Contexts?.Any(c => c.Name == name) != true)
            {
                var names = string.Join(", ", merged.Contexts?.Select(c => c.Name) ?? []);
                throw new KubeConfigException($"kubeconfig {source} has no context named '{name}' (contexts: {(names.Length > 0 ? names : "none")}); pass an existing --kube-context");
            }

            return KubernetesClientConfiguration.BuildConfigFromConfigObject(merged, name);
        });
    }

    private static KubernetesClientConfiguration Wrap(string source, string? context, Func<KubernetesClientConfiguration> load)
    {
        try
        {
            return load();
        }
        catch (KubeConfigException)
        {
            throw;
        }
        catch (Exception e) when (e is k8s.Exceptions.KubeConfigException or YamlDotNet.Core.YamlException or IOException
                                       or UnauthorizedAccessException or FormatException or UriFormatException
                                       or System.Security.Cryptography.CryptographicException or InvalidOperationException
                                       or NullReferenceException or ArgumentException)
        {
            throw new KubeConfigException(
                $"{source}{(context is null ? "" : $" context {context}")}: {FirstLine(e.Message)}; fix it or pass another --kubeconfig/--kube-context", e);
        }
    }

    internal static string FirstLine(string message)
    {
        var line = message.AsSpan().Trim();
        var end = line.IndexOfAny('\r', '\n');
        return (end < 0 ? line : line[..end]).TrimEnd('.').ToString();
    }
}
