using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Mesh.ControlPlane.Translation;

/// <summary>
/// Typed reads of Kubernetes-shaped JSON. A field of the wrong type throws <see cref="TranslationException"/>
/// naming the field path; an absent field reads as null.
/// </summary>
internal static class JsonFields
{
    public static JsonObject? Object(JsonObject? parent, string name, string path)
    {
        var node = parent?[name];
        return node switch
        {
            null => null,
            JsonObject o => o,
            _ => throw new TranslationException(path, $"expected an object, got {Describe(node)}"),
        };
    }

    public static JsonArray? Array(JsonObject? parent, string name, string path)
    {
        var node = parent?[name];
        return node switch
        {
            null => null,
            JsonArray a => a,
            _ => throw new TranslationException(path, $"expected a list, got {Describe(node)}"),
        };
    }

    public static string? String(JsonObject? parent, string name, string path)
    {
        var node = parent?[name];
        if (node is null)
        {
            return null;
        }
        if (node is JsonValue v && v.GetValueKind() == JsonValueKind.String)
        {
            return v.GetValue<string>();
        }
        throw new TranslationException(path, $"expected a string, got {Describe(node)}");
    }

    public static bool? Bool(JsonObject? parent, string name, string path)
    {
        var node = parent?[name];
        return node?.GetValueKind() switch
        {
            null => null,
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new TranslationException(path, $"expected true or false, got {Describe(node!)}"),
        };
    }

    /// <summary>An integer given as a number or a numeric string (Istio writes ports as strings).</summary>
    public static long? Integer(JsonObject? parent, string name, string path) => Integer(parent?[name], path);

    public static long? Integer(JsonNode? node, string path)
    {
        if (node is null)
        {
            return null;
        }
        var kind = node.GetValueKind();
        var text = kind switch
        {
            JsonValueKind.Number => node.ToJsonString(),
            JsonValueKind.String => node.GetValue<string>(),
            _ => throw new TranslationException(path, $"expected an integer, got {Describe(node)}"),
        };
        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            throw new TranslationException(path, $"'{text}' is not an integer");
        }
        return value;
    }

    /// <summary>A TCP/UDP port: an integer in 1..65535.</summary>
    public static int Port(JsonNode? node, string path)
    {
        var value = Integer(node, path) ?? throw new TranslationException(path, "a port is required");
        if (value is < 1 or > 65535)
        {
            throw new TranslationException(path, $"port {value} is out of range 1-65535");
        }
        return (int)value;
    }

    public static ImmutableDictionary<string, string> StringMap(JsonObject? parent, string name, string path)
    {
        var map = Object(parent, name, path);
        if (map is null || map.Count == 0)
        {
            return ImmutableDictionary<string, string>.Empty;
        }
        var b = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in map)
        {
            b[k] = v switch
            {
                JsonValue sv when sv.GetValueKind() == JsonValueKind.String => sv.GetValue<string>(),
                JsonValue other when other.GetValueKind() is JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False
                    => other.ToJsonString(),
                _ => throw new TranslationException($"{path}.{k}", $"expected a string value, got {Describe(v)}"),
            };
        }
        return b.ToImmutable();
    }

    public static ImmutableArray<string> StringList(JsonObject? parent, string name, string path)
    {
        var list = Array(parent, name, path);
        if (list is null)
        {
            return [];
        }
        var b = ImmutableArray.CreateBuilder<string>(list.Count);
        for (var i = 0; i < list.Count; i++)
        {
            var item = list[i];
            if (item is JsonValue v && v.GetValueKind() == JsonValueKind.String && v.GetValue<string>().Length > 0)
            {
                b.Add(v.GetValue<string>());
            }
            else
            {
                throw new TranslationException($"{path}[{i}]", $"expected a non-empty string, got {Describe(item)}");
            }
        }
        return b.MoveToImmutable();
    }

    /// <summary>Throws when <paramref name="obj"/> has a field outside <paramref name="known"/>.</summary>
    public static void RejectUnknown(JsonObject? obj, string path, params string[] known)
    {
        if (obj is null)
        {
            return;
        }
        foreach (var (k, _) in obj)
        {
            if (System.Array.IndexOf(known, k) < 0)
            {
                throw new TranslationException(path.Length == 0 ? k : $"{path}.{k}",
                    $"unknown field '{k}' (known: {string.Join(", ", known)})");
            }
        }
    }

    public static string Describe(JsonNode? node) => node switch
    {
        null => "null",
        JsonObject => "an object",
        JsonArray => "a list",
        _ => node.GetValueKind() switch
        {
            JsonValueKind.String => $"the string '{node.GetValue<string>()}'",
            JsonValueKind.Number => $"the number {node.ToJsonString()}",
            JsonValueKind.True or JsonValueKind.False => $"the boolean {node.ToJsonString()}",
            _ => node.ToJsonString(),
        },
    };
}
