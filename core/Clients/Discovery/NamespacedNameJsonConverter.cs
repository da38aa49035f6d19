using System.Text.Json;
using System.Text.Json.Serialization;
using Mesh.Core.Model;

namespace Mesh.Core.Discovery;

/// <summary>A <see cref="NamespacedName"/> as "namespace/name".</summary>
public sealed class NamespacedNameJsonConverter : JsonConverter<NamespacedName>
{
    public override NamespacedName Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var s = reader.GetString() ?? throw new JsonException("null name");
        var slash = s.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? throw new JsonException($"'{(s.Length <= 64 ? s : s[..64] + "...")}' is not namespace/name") : new NamespacedName(s[..slash], s[(slash + 1)..]);
    }

    public override void Write(Utf8JsonWriter writer, NamespacedName value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToString());
}
