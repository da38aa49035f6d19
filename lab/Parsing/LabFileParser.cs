using System.Collections.Immutable;
using Mesh.Lab.Model;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Mesh.Lab.Parsing;

/// <summary>
/// Parses a multi-document lab file. Pure: text in, <see cref="LabFile"/> out, or a <see cref="LabException"/>
/// whose message is one line naming the file, the object and the field.
/// </summary>
public static class LabFileParser
{
    /// <summary>Kinds the lab does not interpret but copies into the cluster folder for the control plane.</summary>
    public static readonly ImmutableHashSet<string> PassThroughKinds = ImmutableHashSet.Create(
        "Gateway", "GatewayClass", "HTTPRoute", "GRPCRoute", "TCPRoute", "ReferenceGrant",
        "AuthorizationPolicy", "PeerAuthentication", "ServiceAccount", "ServiceEntry", "WorkloadEntry", "ConfigMap");

    private static readonly string Supported =
        "Namespace, Node, Pod, Service, " + string.Join(", ", PassThroughKinds.Order(StringComparer.Ordinal));

    /// <summary>Reads and parses a lab file; throws <see cref="LabException"/> with a one-line message on any problem.</summary>
    public static LabFile Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new LabException($"{path}: cannot read the lab file: {e.Message}", e);
        }
        var dir = Path.GetDirectoryName(Path.GetFullPath(path)) ?? Directory.GetCurrentDirectory();
        return Parse(text, path, dir);
    }

    /// <summary>Parses lab YAML held in memory (<paramref name="file"/> names it in errors); relative command paths resolve against <paramref name="baseDirectory"/>.</summary>
    public static LabFile Parse(string text, string file, string baseDirectory)
    {
        YamlStream stream;
        try
        {
            stream = YamlLoader.Load(text);
        }
        catch (YamlException e)
        {
            var reason = (e.InnerException?.Message ?? e.Message).Split('\n')[0].Trim();
            throw new LabException($"{file}: line {e.Start.Line}, column {e.Start.Column}: YAML syntax error: {reason}; check indentation and quoting there", e);
        }

        var namespaces = new List<LabNamespace>();
        var nodes = new List<LabNode>();
        var pods = new List<LabPod>();
        var services = new List<LabService>();
        var others = new List<LabObject>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);

        for (var i = 0; i < stream.Documents.Count; i++)
        {
            var root = stream.Documents[i].RootNode;
            if (root is YamlScalarNode { Value: null or "" })
            {
                continue;
            }
            if (root is not YamlMappingNode map)
            {
                throw new LabException($"{file}: document {i + 1} (line {root.Start.Line}): must be a mapping with apiVersion, kind and metadata");
            }
            if (map.Children.Count == 0)
            {
                continue;
            }
            var kind = map.Children.TryGetValue(new YamlScalarNode("kind"), out var k) ? (k as YamlScalarNode)?.Value : null;
            if (string.IsNullOrEmpty(kind))
            {
                throw new LabException($"{file}: document {i + 1} (line {root.Start.Line}): kind: missing; add one of {Supported}");
            }
            var r = new ObjectReader(file, kind, map);
            switch (kind)
            {
                case "Namespace":
                    var nsMeta = r.ReadMetadata(namespaced: false, podName: false);
                    namespaces.Add(new LabNamespace(r.Name!, r.StringMap(nsMeta, "labels", "metadata.labels"), true, YamlText.Emit(map)));
                    break;
                case "Node":
                    var nodeMeta = r.ReadMetadata(namespaced: false, podName: false);
                    nodes.Add(new LabNode(r.Name!, r.StringMap(nodeMeta, "labels", "metadata.labels")));
                    break;
                case "Pod":
                    pods.Add(PodReader.Read(r));
                    break;
                case "Service":
                    services.Add(ServiceReader.Read(r));
                    break;
                default:
                    if (!PassThroughKinds.Contains(kind))
                    {
                        throw new LabException($"{file}: document {i + 1} (line {root.Start.Line}): kind: '{kind}' is not supported by the lab; use one of {Supported}");
                    }
                    r.ReadMetadata(namespaced: kind != "GatewayClass", podName: true);
                    others.Add(new LabObject(r.String(map, "apiVersion", "apiVersion") ?? "", kind, r.Namespace, r.Name!, YamlText.Emit(map)));
                    break;
            }
            var key = $"{kind}/{r.Display}";
            if (seen.TryGetValue(key, out var firstLine))
            {
                throw r.Fail("metadata.name", $"duplicate; the {kind} at line {firstLine} has the same name, rename one");
            }
            seen[key] = r.Line;
        }

        return new LabFile(
            file,
            baseDirectory,
            [.. CompleteNamespaces(namespaces, pods, services, others)],
            [.. CompleteNodes(nodes, pods)],
            [.. pods],
            [.. services],
            [.. others]);
    }

    /// <summary>Declared namespaces first, then those only referred to (implied, no labels), in order of first use.</summary>
    private static IEnumerable<LabNamespace> CompleteNamespaces(
        List<LabNamespace> declared, List<LabPod> pods, List<LabService> services, List<LabObject> others)
    {
        var names = declared.Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
        var result = new List<LabNamespace>(declared);
        var used = pods.Select(p => p.Namespace).Concat(services.Select(s => s.Namespace)).Concat(others.Where(o => o.Namespace is not null).Select(o => o.Namespace!));
        foreach (var ns in used)
        {
            if (names.Add(ns))
            {
                var yaml = $"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {ns}\n";
                result.Add(new LabNamespace(ns, ImmutableSortedDictionary<string, string>.Empty, false, yaml));
            }
        }
        return result;
    }

    /// <summary>Declared nodes first, then nodes named by pods, in order of first use.</summary>
    private static IEnumerable<LabNode> CompleteNodes(List<LabNode> declared, List<LabPod> pods)
    {
        var names = declared.Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
        var result = new List<LabNode>(declared);
        foreach (var p in pods)
        {
            if (names.Add(p.NodeName))
            {
                result.Add(new LabNode(p.NodeName, ImmutableSortedDictionary<string, string>.Empty));
            }
        }
        return result;
    }
}
