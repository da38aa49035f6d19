using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mesh.Core.Discovery;

/// <summary>An IP address as its string form.</summary>
public sealed class IpAddressJsonConverter : JsonConverter<IPAddress>
{
    public override IPAddress Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var s = reader.GetString() ?? throw new JsonException("null IP address");
        return IPAddress.TryParse(s, out var address) ? address : throw new JsonException($"'{Bounded(s)}' is not an IP address");
    }

    public override void Write(Utf8JsonWriter writer, IPAddress value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToString());

    private static string Bounded(string s) => s.Length <= 64 ? s : s[..64] + "...";
}
