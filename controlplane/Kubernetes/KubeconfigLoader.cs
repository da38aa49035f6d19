using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Mesh.ControlPlane.Kubernetes;

/// <summary>
/// Reads a kubeconfig (KUBECONFIG, a colon-separated list merged first-wins as kubectl does, or
/// ~/.kube/config): the current (or named) context, its cluster (server, certificate-authority or
/// -data, insecure-skip-tls-verify, tls-server-name) and user (token, tokenFile,
/// client-certificate(-data) + client-key(-data)). Relative paths are relative to the file that
/// names them. Anything unusable throws <see cref="KubeConfigException"/> saying what to fix.
/// </summary>
public static class KubeconfigLoader
{
    public static KubeClientConfig LoadDefault(string? context = null)
    {
        var variable = Environment.GetEnvironmentVariable("KUBECONFIG");
        string[] paths;
        if (!string.IsNullOrWhiteSpace(variable))
        {
            paths = variable.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        }
        else
        {
            var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            paths = [Path.Combine(home, ".kube", "config")];
        }

        return Load(paths, context);
    }

    public static KubeClientConfig Load(string path, string? context = null) => Load([path], context);

    public static KubeClientConfig Load(IReadOnlyList<string> paths, string? context = null)
    {
        var files = new List<KubeconfigFile>();
        foreach (var path in paths)
        {
            if (File.Exists(path))
            {
                files.Add(KubeconfigFile.Parse(path, File.ReadAllText(path)));
            }
        }

        if (files.Count == 0)
        {
            throw new KubeConfigException(
                $"No kubeconfig found at {string.Join(", ", paths)}. Set KUBECONFIG to a kubeconfig file " +
                "(for kind: kind get kubeconfig --name <cluster> > file), or run inside a cluster.");
        }

        var sources = string.Join(", ", files.Select(f => f.Path));
        var contextName = context ?? files.Select(f => f.CurrentContext).FirstOrDefault(c => !string.IsNullOrEmpty(c));
        if (string.IsNullOrEmpty(contextName))
        {
            throw new KubeConfigException($"Kubeconfig {sources} has no current-context; run `kubectl config use-context <name>` or pass a context name.");
        }

        var (ctxFile, ctx) = Find(files, f => f.Contexts, contextName)
            ?? throw new KubeConfigException($"Kubeconfig {sources} has no context named '{contextName}' (contexts: {Names(files, f => f.Contexts)}).");
        var clusterName = Scalar(ctx, "cluster")
            ?? throw new KubeConfigException($"Context '{contextName}' in {ctxFile.Path} names no cluster; add context.cluster.");
        var (clusterFile, cluster) = Find(files, f => f.Clusters, clusterName)
            ?? throw new KubeConfigException($"Context '{contextName}' names cluster '{clusterName}', which is not in {sources} (clusters: {Names(files, f => f.Clusters)}).");
        var userName = Scalar(ctx, "user");
        (KubeconfigFile File, YamlMappingNode Node)? user = null;
        if (!string.IsNullOrEmpty(userName))
        {
            user = Find(files, f => f.Users, userName)
                ?? throw new KubeConfigException($"Context '{contextName}' names user '{userName}', which is not in {sources} (users: {Names(files, f => f.Users)}).");
        }

        var server = Scalar(cluster, "server");
        if (string.IsNullOrEmpty(server) || !Uri.TryCreate(server, UriKind.Absolute, out var serverUri) || serverUri.Scheme is not ("https" or "http"))
        {
            throw new KubeConfigException($"Cluster '{clusterName}' in {clusterFile.Path} has server '{server}'; it must be an https:// URL of the API server.");
        }

        var insecure = Scalar(cluster, "insecure-skip-tls-verify") is { } flag && bool.TryParse(flag, out var b) && b;
        var ca = insecure ? null : ReadCertificateAuthority(clusterFile, cluster, clusterName);
        var config = new KubeClientConfig
        {
            Server = serverUri,
            CertificateAuthority = ca,
            InsecureSkipTlsVerify = insecure,
            TlsServerName = Scalar(cluster, "tls-server-name"),
            Namespace = Scalar(ctx, "namespace") is { Length: > 0 } ns ? ns : "default",
            Source = $"kubeconfig {ctxFile.Path} context {contextName}",
        };
        return user is { } u ? WithUser(config, u.File, u.Node, userName!) : config;
    }

    private static KubeClientConfig WithUser(KubeClientConfig config, KubeconfigFile file, YamlMappingNode user, string name)
    {
        if (Child(user, "exec") is not null || Child(user, "auth-provider") is not null)
        {
            throw new KubeConfigException(
                $"User '{name}' in {file.Path} uses an exec or auth-provider credential plugin, which Mesh does not run. " +
                "Give the user a token, tokenFile or client-certificate/client-key (for example a service account token).");
        }

        var token = Scalar(user, "token");
        var tokenFile = Scalar(user, "tokenFile") is { Length: > 0 } tf ? file.Resolve(tf) : null;
        if (tokenFile is not null && !File.Exists(tokenFile))
        {
            throw new KubeConfigException($"User '{name}' in {file.Path} has tokenFile {tokenFile}, which does not exist.");
        }

        var certPem = ReadPem(file, user, "client-certificate", name);
        var keyPem = ReadPem(file, user, "client-key", name);
        X509Certificate2? clientCert = null;
        if (certPem is not null || keyPem is not null)
        {
            if (certPem is null || keyPem is null)
            {
                throw new KubeConfigException($"User '{name}' in {file.Path} has a client certificate without its key or a key without its certificate; set both client-certificate(-data) and client-key(-data).");
            }

            try
            {
                clientCert = X509Certificate2.CreateFromPem(certPem, keyPem);
            }
            catch (CryptographicException e)
            {
                throw new KubeConfigException($"User '{name}' in {file.Path}: the client certificate and key do not load as a PEM pair ({e.Message}); check that the key belongs to the certificate.", e);
            }
        }

        if (token is null && tokenFile is null && clientCert is null && Scalar(user, "username") is not null)
        {
            throw new KubeConfigException($"User '{name}' in {file.Path} uses basic auth (username/password), which Kubernetes removed; use a token or client certificate.");
        }

        return config with { Token = token, TokenFile = tokenFile, ClientCertificate = clientCert };
    }

    private static X509Certificate2Collection? ReadCertificateAuthority(KubeconfigFile file, YamlMappingNode cluster, string name)
    {
        var pem = ReadPem(file, cluster, "certificate-authority", name);
        if (pem is null)
        {
            return null;
        }

        var collection = new X509Certificate2Collection();
        try
        {
            collection.ImportFromPem(pem);
        }
        catch (CryptographicException e)
        {
            throw new KubeConfigException($"Cluster '{name}' in {file.Path}: certificate-authority is not a PEM certificate ({e.Message}).", e);
        }

        return collection.Count > 0 ? collection
            : throw new KubeConfigException($"Cluster '{name}' in {file.Path}: certificate-authority holds no PEM certificate.");
    }

    /// <summary>Reads KEY-data (base64 PEM) or KEY (a file path); null when neither is set.</summary>
    private static string? ReadPem(KubeconfigFile file, YamlMappingNode node, string key, string owner)
    {
        if (Scalar(node, key + "-data") is { Length: > 0 } data)
        {
            try
            {
                return System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(data));
            }
            catch (FormatException)
            {
                throw new KubeConfigException($"'{owner}' in {file.Path}: {key}-data is not base64; it must be the base64 encoding of a PEM file.");
            }
        }

        if (Scalar(node, key) is { Length: > 0 } path)
        {
            var full = file.Resolve(path);
            try
            {
                return File.ReadAllText(full);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new KubeConfigException($"'{owner}' in {file.Path}: cannot read {key} file {full}: {e.Message}", e);
            }
        }

        return null;
    }

    private static (KubeconfigFile File, YamlMappingNode Node)? Find(
        List<KubeconfigFile> files, Func<KubeconfigFile, IReadOnlyDictionary<string, YamlMappingNode>> select, string name)
    {
        foreach (var file in files)
        {
            if (select(file).TryGetValue(name, out var node))
            {
                return (file, node);
            }
        }

        return null;
    }

    private static string Names(List<KubeconfigFile> files, Func<KubeconfigFile, IReadOnlyDictionary<string, YamlMappingNode>> select)
    {
        var names = files.SelectMany(f => select(f).Keys).Distinct().ToList();
        return names.Count == 0 ? "none" : string.Join(", ", names);
    }

    internal static YamlNode? Child(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var child) ? child : null;

    internal static string? Scalar(YamlMappingNode node, string key) =>
        Child(node, key) is YamlScalarNode { Value: { } v } && v.Length > 0 && v != "~" ? v : null;
}
