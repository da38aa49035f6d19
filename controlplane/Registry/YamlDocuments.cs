using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Mesh.Core.Yaml;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Mesh.ControlPlane.Registry;

/// <summary>
/// Converts (multi-document) YAML to the JSON objects the translation reads, the way kubectl does: plain
/// scalars that look like integers, floats, booleans or null become those JSON types; quoted scalars
/// stay strings. A "kind: List" document is expanded into its items.
/// </summary>
public static partial class YamlDocuments
{
    [GeneratedRegex("^[-+]?[0-9]+$")]
    private static partial Regex IntegerPattern();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex FloatPattern();

    /// <summary>Parses every document; throws <see cref="YamlException"/> (with line/column) on malformed YAML
    /// and <see cref="FormatException"/> when a document is not a mapping.</summary>
    public static List<JsonObject> Parse(string yaml)
    {
        var stream = YamlLoader.Load(yaml);
        var result = new List<JsonObject>();
        // Without aliases a file cannot hold more nodes than twice its characters; aliases may repeat a node, but only
        // within that budget, so an alias bomb (found by fuzzing: 333 octets, 10^9 nodes) is refused, not expanded.
        var budget = new NodeBudget(2L * yaml.Length + 1024);
        foreach (var doc in stream.Documents)
        {
            if (doc.RootNode is YamlScalarNode { Value: null or "" } || doc.RootNode is YamlScalarNode { Tag.IsEmpty: false, Value: "null" })
            {
                continue;
            }
            if (Convert(doc.RootNode, budget) is not JsonObject obj)
            {
                throw new FormatException($"document at line {doc.RootNode.Start.Line} is not a mapping");
            }
            if (obj["kind"] is JsonValue kind && kind.TryGetValue<string>(out var k) && k == "List" && obj["items"] is JsonArray items)
            {
                result.AddRange(items.OfType<JsonObject>().Select(i => (JsonObject)i.DeepClone()));
            }
            else
            {
                result.Add(obj);
            }
        }
        return result;
    }

    private sealed class NodeBudget(long nodes)
    {
        public void Take(YamlNode node)
        {
            if (--nodes < 0)
            {
                throw new FormatException($"YAML at line {node.Start.Line} expands to more nodes than the file could hold without aliases; do not nest aliases (&anchor/*alias) inside each other");
            }
        }
    }

    private static JsonNode? Convert(YamlNode node, NodeBudget budget)
    {
        budget.Take(node);
        return node switch
        {
            YamlMappingNode m => Mapping(m, budget),
            YamlSequenceNode s => new JsonArray([.. s.Children.Select(c => Convert(c, budget))]),
            YamlScalarNode s => Scalar(s),
            _ => throw new FormatException($"unsupported YAML node at line {node.Start.Line}"),
        };
    }

    private static JsonObject Mapping(YamlMappingNode m, NodeBudget budget)
    {
        var o = new JsonObject();
        foreach (var (k, v) in m.Children)
        {
            var key = (k as YamlScalarNode)?.Value ?? throw new FormatException($"mapping key at line {k.Start.Line} is not a scalar");
            o[key] = Convert(v, budget);
        }
        return o;
    }

    private static JsonNode? Scalar(YamlScalarNode s)
    {
        var v = s.Value ?? "";
        if (s.Style is not ScalarStyle.Plain)
        {
            return JsonValue.Create(v);
        }
        switch (v)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return null;
            case "true" or "True" or "TRUE":
                return JsonValue.Create(true);
            case "false" or "False" or "FALSE":
                return JsonValue.Create(false);
        }
        if (IntegerPattern().IsMatch(v) && long.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l))
        {
            return JsonValue.Create(l);
        }
        if (FloatPattern().IsMatch(v) && double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
        {
            return JsonValue.Create(d);
        }
        return JsonValue.Create(v);
    }
}
