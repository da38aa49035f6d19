using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Mesh.ControlPlane.Kubernetes;

/// <summary>One parsed kubeconfig file: its named contexts, clusters and users as YAML mappings.</summary>
internal sealed class KubeconfigFile
{
    private KubeconfigFile(string path)
    {
        Path = path;
    }

    public string Path { get; }

    public string? CurrentContext { get; private set; }

    public Dictionary<string, YamlMappingNode> Contexts { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, YamlMappingNode> Clusters { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, YamlMappingNode> Users { get; } = new(StringComparer.Ordinal);

    public string Resolve(string path) =>
        System.IO.Path.IsPathRooted(path) ? path
            : System.IO.Path.GetFullPath(System.IO.Path.Combine(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path)) ?? ".", path));

    public static KubeconfigFile Parse(string path, string text)
    {
        var yaml = new YamlStream();
        try
        {
            yaml.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw new KubeConfigException($"Kubeconfig {path} is not valid YAML (line {e.Start.Line}, column {e.Start.Column}): {e.Message}", e);
        }

        var file = new KubeconfigFile(path);
        if (yaml.Documents.Count == 0 || yaml.Documents[0].RootNode is YamlScalarNode { Value: null or "" })
        {
            return file;
        }

        if (yaml.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new KubeConfigException($"Kubeconfig {path} is not a YAML mapping; expected apiVersion: v1, kind: Config with clusters, contexts and users.");
        }

        file.CurrentContext = KubeconfigLoader.Scalar(root, "current-context");
        ReadNamed(file, root, "contexts", "context", file.Contexts);
        ReadNamed(file, root, "clusters", "cluster", file.Clusters);
        ReadNamed(file, root, "users", "user", file.Users);
        return file;
    }

    private static void ReadNamed(KubeconfigFile file, YamlMappingNode root, string listKey, string itemKey, Dictionary<string, YamlMappingNode> into)
    {
        var list = KubeconfigLoader.Child(root, listKey);
        if (list is null || list is YamlScalarNode { Value: null or "" or "~" })
        {
            return;
        }

        if (list is not YamlSequenceNode sequence)
        {
            throw new KubeConfigException($"Kubeconfig {file.Path}: '{listKey}' must be a list of {{name, {itemKey}}} entries.");
        }

        foreach (var item in sequence)
        {
            if (item is not YamlMappingNode entry || KubeconfigLoader.Scalar(entry, "name") is not { } name)
            {
                throw new KubeConfigException($"Kubeconfig {file.Path}: an entry of '{listKey}' (line {item.Start.Line}) has no name.");
            }

            var body = KubeconfigLoader.Child(entry, itemKey);
            if (body is not YamlMappingNode mapping)
            {
                if (body is null || body is YamlScalarNode { Value: null or "" or "~" })
                {
                    mapping = new YamlMappingNode();
                }
                else
                {
                    throw new KubeConfigException($"Kubeconfig {file.Path}: {listKey} entry '{name}' has a '{itemKey}' that is not a mapping.");
                }
            }

            into.TryAdd(name, mapping);
        }
    }
}
