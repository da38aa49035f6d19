using System.Buffers;
using System.Text.Json;
using Mesh.Core.Discovery;

namespace Mesh.ControlPlane.Discovery;

/// <summary>Writes one discovery message (a JSON line) for a view; resources are copied verbatim from their entries.</summary>
public static class DiscoveryMessageWriter
{
    public static void Write(IBufferWriter<byte> output, DiscoverySnapshot snapshot, DiscoveryView view, DiscoveryPlan plan)
    {
        using (var w = new Utf8JsonWriter(output, new JsonWriterOptions { SkipValidation = true }))
        {
            w.WriteStartObject();
            w.WriteString("type", plan.IsFull ? DiscoveryWire.Full : DiscoveryWire.Delta);
            w.WriteString("epoch", snapshot.Epoch);
            w.WriteNumber("version", snapshot.Version);
            if (plan.IsFull)
            {
                foreach (var kind in DiscoveryWire.Kinds)
                {
                    if (!view.Includes(kind))
                    {
                        continue;
                    }
                    w.WriteStartArray(kind);
                    foreach (var (id, entry) in snapshot.Entries)
                    {
                        if (id.Kind == kind && view.Select(entry) is { } sent)
                        {
                            w.WriteRawValue(sent.Json, skipInputValidation: true);
                        }
                    }
                    w.WriteEndArray();
                }
            }
            else
            {
                w.WriteNumber("from", plan.From);
                foreach (var group in plan.Upserts.GroupBy(e => e.Id.Kind))
                {
                    w.WriteStartArray(group.Key);
                    foreach (var entry in group)
                    {
                        w.WriteRawValue(view.Select(entry)!.Value.Json, skipInputValidation: true);
                    }
                    w.WriteEndArray();
                }
                if (plan.Removals.Count > 0)
                {
                    w.WriteStartObject(DiscoveryWire.Removed);
                    foreach (var group in plan.Removals.GroupBy(r => r.Kind))
                    {
                        w.WriteStartArray(group.Key);
                        foreach (var id in group)
                        {
                            w.WriteStringValue(id.Key);
                        }
                        w.WriteEndArray();
                    }
                    w.WriteEndObject();
                }
            }
            w.WriteEndObject();
        }
        output.Write("\n"u8);
    }
}
