using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mesh.ControlPlane.Ca;

/// <summary>
/// What the rotation keeps in &lt;state&gt;/ca/rotation.json besides the root files (which say the phase): since when
/// the phase holds (the overlap is timed from it) and the latest expiry of what each root issued (<see cref="IssuedLedger"/>).
/// </summary>
public sealed record RotationRecord
{
    public RotationPhase Phase { get; init; }
    public DateTimeOffset Since { get; init; }
    public ImmutableSortedDictionary<string, DateTimeOffset> Issued { get; init; } = ImmutableSortedDictionary<string, DateTimeOffset>.Empty;

    /// <summary>The record on disk, or null when there is none or it does not parse (the phase is then timed from now).</summary>
    public static RotationRecord? Read(string path)
    {
        try
        {
            return File.Exists(path) ? JsonSerializer.Deserialize(File.ReadAllText(path), RotationJsonContext.Default.RotationRecord) : null;
        }
        catch (Exception e) when (e is JsonException or IOException)
        {
            return null;
        }
    }

    public void Write(string path)
    {
        var tmp = path + ".tmp";
        File.WriteAllText(tmp, JsonSerializer.Serialize(this, RotationJsonContext.Default.RotationRecord));
        File.Move(tmp, path, overwrite: true);
    }
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true, WriteIndented = true)]
[JsonSerializable(typeof(RotationRecord))]
internal sealed partial class RotationJsonContext : JsonSerializerContext;
