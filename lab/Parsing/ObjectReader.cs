using System.Collections.Immutable;
using YamlDotNet.RepresentationModel;

namespace Mesh.Lab.Parsing;

/// <summary>
/// Reads fields of one YAML object and turns every problem into one line:
/// <c>&lt;file&gt;: &lt;Kind&gt; '&lt;ns/name&gt;': &lt;field&gt;: &lt;what is wrong and what to do&gt;</c>.
/// </summary>
internal sealed class ObjectReader
{
    private readonly string _file;

    public ObjectReader(string file, string kind, YamlMappingNode root)
    {
        _file = file;
        Kind = kind;
        Root = root;
        Line = (int)root.Start.Line;
    }

    public string Kind { get; }
    public YamlMappingNode Root { get; }
    public int Line { get; }
    public string? Namespace { get; set; }
    public string? Name { get; set; }

    public string Display => Name is null
        ? (Namespace is null ? $"<unnamed, line {Line}>" : $"{Namespace}/<unnamed, line {Line}>")
        : (Namespace is null ? Name : $"{Namespace}/{Name}");

    public LabException Fail(string field, string message) =>
        new($"{_file}: {Kind} '{Display}': {field}: {message}");

    public YamlNode? Get(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var v) && !IsNull(v) ? v : null;

    public YamlMappingNode? Mapping(YamlMappingNode map, string key, string field) => Get(map, key) switch
    {
        null => null,
        YamlMappingNode m => m,
        _ => throw Fail(field, "must be a mapping (key: value lines)"),
    };

    public YamlSequenceNode? Sequence(YamlMappingNode map, string key, string field) => Get(map, key) switch
    {
        null => null,
        YamlSequenceNode s => s,
        _ => throw Fail(field, "must be a list"),
    };

    public string? String(YamlMappingNode map, string key, string field) => Get(map, key) switch
    {
        null => null,
        YamlScalarNode s => s.Value,
        _ => throw Fail(field, "must be a single value, not a list or mapping"),
    };

    public string RequiredString(YamlMappingNode map, string key, string field, string hint) =>
        String(map, key, field) is { Length: > 0 } s ? s : throw Fail(field, $"missing; {hint}");

    public ImmutableSortedDictionary<string, string> StringMap(YamlMappingNode map, string key, string field)
    {
        var m = Mapping(map, key, field);
        if (m is null)
        {
            return ImmutableSortedDictionary<string, string>.Empty;
        }
        var b = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in m.Children)
        {
            var ks = (k as YamlScalarNode)?.Value ?? throw Fail(field, "keys must be plain strings");
            if (v is not YamlScalarNode vs)
            {
                throw Fail($"{field}.{ks}", "must be a string value");
            }
            b[ks] = vs.Value ?? "";
        }
        return b.ToImmutable();
    }

    public int? Port(YamlMappingNode map, string key, string field)
    {
        var node = Get(map, key);
        if (node is null)
        {
            return null;
        }
        if (node is not YamlScalarNode s || !int.TryParse(s.Value, out var port))
        {
            throw Fail(field, $"'{(node as YamlScalarNode)?.Value}' is not a port number; use a number 1-65535 (named ports are not supported in the lab)");
        }
        return port is >= 1 and <= 65535 ? port : throw Fail(field, $"{port} is out of range; use a number 1-65535");
    }

    /// <summary>metadata.name (and metadata.namespace when <paramref name="namespaced"/>), validated.</summary>
    public YamlMappingNode ReadMetadata(bool namespaced, bool podName)
    {
        var meta = Mapping(Root, "metadata", "metadata") ?? throw Fail("metadata", "missing; add metadata.name");
        if (namespaced)
        {
            Namespace = String(meta, "namespace", "metadata.namespace") ?? "default";
            if (!KubeNames.IsLabel(Namespace))
            {
                throw Fail("metadata.namespace", $"'{Namespace}' is not a valid namespace name; use lowercase letters, digits and '-'");
            }
        }
        var name = String(meta, "name", "metadata.name");
        if (string.IsNullOrEmpty(name))
        {
            throw Fail("metadata.name", $"missing; give every {Kind} a name");
        }
        Name = name;
        var ok = podName ? KubeNames.IsSubdomain(name) : KubeNames.IsLabel(name);
        if (!ok)
        {
            throw Fail("metadata.name", $"'{name}' is not a valid name; use lowercase letters, digits and '-'{(podName ? " ('.' between parts)" : "")}, at most {(podName ? 253 : 63)} characters");
        }
        return meta;
    }

    private static bool IsNull(YamlNode n) =>
        n is YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain } s && (s.Value is null or "" or "~" or "null");
}
