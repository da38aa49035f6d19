using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Mesh.ControlPlane.Registry;

/// <summary>
/// Converts (multi-document) YAML to the JSON objects the translation reads, the way kubectl does: plain
/// scalars that look like integers, floats, booleans or null become those JSON types; quoted scalars
/// stay strings. A "kind: List" document is expanded into its items. Built from the parser's events in one
/// pass with an explicit stack (no recursion), within <see cref="YamlLimits"/>: nesting depth, node count and
/// alias expansion are bounded, an alias to its own node is refused, duplicate keys are refused.
/// </summary>
public static partial class YamlDocuments
{
    [GeneratedRegex("^[-+]?[0-9]+$")]
    private static partial Regex IntegerPattern();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex FloatPattern();

    /// <summary>Parses every document; throws <see cref="YamlDocumentException"/> (with line and column) on malformed
    /// YAML, a document that is not a mapping, or a limit exceeded.</summary>
    public static List<JsonObject> Parse(string yaml, YamlLimits? limits = null)
    {
        using var reader = new StringReader(yaml);
        return Parse(reader, limits ?? YamlLimits.Default);
    }

    public static List<JsonObject> Parse(TextReader reader, YamlLimits limits)
    {
        var builder = new YamlTreeBuilder(limits);
        var parser = new Parser(reader);
        var last = Mark.Empty;
        try
        {
            while (parser.MoveNext())
            {
                last = parser.Current!.End;
                builder.Add(parser.Current);
            }
        }
        catch (YamlException e)
        {
            throw new YamlDocumentException(e.Start.Line, e.Start.Column, e.Message);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or IndexOutOfRangeException or NullReferenceException)
        {
            // YamlDotNet's scanner throws these on some malformed input (e.g. an unclosed flow sequence followed by a
            // mapping): still a malformed file, reported where parsing stopped.
            throw new YamlDocumentException(last.Line, last.Column, $"malformed YAML after this point ({e.Message})");
        }
        var result = new List<JsonObject>();
        foreach (var (root, start) in builder.Documents)
        {
            if (root is null)
            {
                continue;
            }
            if (root is not JsonObject obj)
            {
                throw new YamlDocumentException(start.Line, start.Column, "the document is not a mapping (a Kubernetes object or a kind: List)");
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

    /// <summary>A scalar as kubectl's YAML-to-JSON conversion types it.</summary>
    internal static JsonNode? Scalar(Scalar s)
    {
        var v = s.Value ?? "";
        if (s.Style is not ScalarStyle.Plain || s.Tag.IsGlobal && s.Tag.Value == "tag:yaml.org,2002:str")
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
            return double.IsFinite(d) ? JsonValue.Create(d)
                : throw new YamlDocumentException(s.Start.Line, s.Start.Column, $"the number {v} is out of range (JSON has no infinity); quote it if it is a string");
        }
        return JsonValue.Create(v);
    }
}
