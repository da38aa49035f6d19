using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Mesh.Core.Model;

namespace Mesh.ControlPlane.Translation;

/// <summary>What one translation run has seen so far, and its errors. One per run, not shared.</summary>
internal sealed class TranslationContext(TranslationOptions options)
{
    public TranslationOptions Options { get; } = options;
    public List<TranslationError> Errors { get; } = [];
    public Dictionary<string, ImmutableDictionary<string, string>> NamespaceLabels { get; } = new(StringComparer.Ordinal);
    /// <summary>Translated pods with their source object (container ports are read from it for named target ports).</summary>
    public List<(Workload Workload, JsonObject Source)> Pods { get; } = [];

    public ImmutableDictionary<string, string> LabelsOf(string ns) =>
        NamespaceLabels.TryGetValue(ns, out var l) ? l : ImmutableDictionary<string, string>.Empty;

    public void Error(ObjectMeta meta, string field, string message) =>
        Errors.Add(new TranslationError(meta.Kind, meta.Namespace, meta.Name, field, message));

    /// <summary>Runs <paramref name="translate"/> for one object; a bad field becomes an error, never an exception.</summary>
    public bool Try(ObjectMeta meta, Action translate)
    {
        try
        {
            translate();
            return true;
        }
        catch (TranslationException e)
        {
            Error(meta, e.Field, e.Message);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or ArgumentException or OverflowException)
        {
            Error(meta, "", $"cannot translate: {e.Message}");
        }
        return false;
    }
}
