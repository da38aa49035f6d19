using YamlDotNet.RepresentationModel;

namespace Mesh.Lab.Parsing;

/// <summary>Emits one YAML node as a single-document YAML text.</summary>
internal static class YamlText
{
    public static string Emit(YamlNode root)
    {
        var stream = new YamlStream(new YamlDocument(root));
        using var writer = new StringWriter();
        stream.Save(writer, assignAnchors: false);
        var text = writer.ToString().TrimEnd();
        if (text.EndsWith("...", StringComparison.Ordinal))
        {
            text = text[..^3].TrimEnd();
        }
        return text + "\n";
    }

    /// <summary>A deep copy, so callers can add fields without touching the parsed original.</summary>
    public static YamlNode Clone(YamlNode node) => node switch
    {
        YamlScalarNode s => new YamlScalarNode(s.Value) { Style = s.Style, Tag = s.Tag },
        YamlSequenceNode q => new YamlSequenceNode(q.Children.Select(Clone)) { Style = q.Style, Tag = q.Tag },
        YamlMappingNode m => CloneMapping(m),
        _ => throw new InvalidOperationException($"unexpected YAML node {node.GetType().Name}"),
    };

    private static YamlMappingNode CloneMapping(YamlMappingNode m)
    {
        var copy = new YamlMappingNode { Style = m.Style, Tag = m.Tag };
        foreach (var (k, v) in m.Children)
        {
            copy.Add(Clone(k), Clone(v));
        }
        return copy;
    }

    /// <summary>Parses a single-document YAML text back to its root mapping.</summary>
    public static YamlMappingNode ParseMapping(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    /// <summary>The mapping under <paramref name="key"/>, created when absent.</summary>
    public static YamlMappingNode Child(YamlMappingNode parent, string key)
    {
        if (parent.Children.TryGetValue(new YamlScalarNode(key), out var node) && node is YamlMappingNode m)
        {
            return m;
        }
        var created = new YamlMappingNode();
        parent.Children[new YamlScalarNode(key)] = created;
        return created;
    }

    public static void Set(YamlMappingNode parent, string key, string value) =>
        parent.Children[new YamlScalarNode(key)] = new YamlScalarNode(value) { Style = YamlDotNet.Core.ScalarStyle.DoubleQuoted };
}
