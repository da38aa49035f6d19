using System.Text.Json;

namespace Mesh.Cni;

/// <summary>Writes the plugin's JSON answers with <see cref="Utf8JsonWriter"/> (no serializer, nothing to trim).</summary>
public static class CniOutput
{
    /// <summary>The chained result: prevResult unchanged, with cniVersion set to the config's.</summary>
    public static void WriteResult(Stream output, JsonElement prevResult, string cniVersion)
    {
        using var w = new Utf8JsonWriter(output);
        w.WriteStartObject();
        w.WriteString("cniVersion", cniVersion);
        foreach (var p in prevResult.EnumerateObject())
        {
            if (p.NameEquals("cniVersion"))
            {
                continue;
            }
            p.WriteTo(w);
        }
        w.WriteEndObject();
    }

    public static void WriteVersion(Stream output)
    {
        using var w = new Utf8JsonWriter(output);
        w.WriteStartObject();
        w.WriteString("cniVersion", "1.0.0");
        w.WriteStartArray("supportedVersions");
        foreach (var v in CniConfig.SupportedVersions)
        {
            w.WriteStringValue(v);
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    public static void WriteError(Stream output, string cniVersion, CniException error)
    {
        using var w = new Utf8JsonWriter(output);
        w.WriteStartObject();
        w.WriteString("cniVersion", cniVersion);
        w.WriteNumber("code", error.Code);
        w.WriteString("msg", error.Message);
        if (error.Details is not null)
        {
            w.WriteString("details", error.Details);
        }
        w.WriteEndObject();
    }
}
