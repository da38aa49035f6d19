using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using Mesh.Core.Model;

namespace Mesh.Core.Discovery;

/// <summary>JSON of the model records on the wire: camelCase, computed properties left out, IPs and
/// namespaced names as strings, enums as names.</summary>
public static class DiscoveryJson
{
    public static readonly JsonSerializerOptions Options = Create();

    private static JsonSerializerOptions Create()
    {
        var o = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            IgnoreReadOnlyProperties = true,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        };
        o.Converters.Add(new IpAddressConverter());
        o.Converters.Add(new NamespacedNameConverter());
        o.Converters.Add(new JsonStringEnumConverter());
        o.MakeReadOnly(populateMissingResolver: true);
        return o;
    }

    private sealed class IpAddressConverter : JsonConverter<IPAddress>
    {
        public override IPAddress Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            IPAddress.Parse(reader.GetString() ?? throw new JsonException("null IP address"));

        public override void Write(Utf8JsonWriter writer, IPAddress value, JsonSerializerOptions options) =>
            writer.WriteStringValue(value.ToString());
    }

    private sealed class NamespacedNameConverter : JsonConverter<NamespacedName>
    {
        public override NamespacedName Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var s = reader.GetString() ?? throw new JsonException("null name");
            var slash = s.IndexOf('/', StringComparison.Ordinal);
            return slash < 0 ? throw new JsonException($"'{s}' is not namespace/name") : new NamespacedName(s[..slash], s[(slash + 1)..]);
        }

        public override void Write(Utf8JsonWriter writer, NamespacedName value, JsonSerializerOptions options) =>
            writer.WriteStringValue(value.ToString());
    }
}
