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

    private Dictionary<(string Ns, string Key, string Value), List<(Workload Workload, JsonObject Source)>>? _byLabel;

    /// <summary>The pods of <paramref name="ns"/> matching <paramref name="selector"/> (non-empty), through a label index.</summary>
    public IEnumerable<(Workload Workload, JsonObject Source)> Select(string ns, ImmutableDictionary<string, string> selector)
    {
        if (_byLabel is null)
        {
            _byLabel = [];
            foreach (var p in Pods)
            {
                foreach (var (k, v) in p.Workload.Labels)
                {
                    if (!_byLabel.TryGetValue((p.Workload.Namespace, k, v), out var list))
                    {
                        _byLabel[(p.Workload.Namespace, k, v)] = list = [];
                    }
                    list.Add(p);
                }
            }
        }
        List<(Workload, JsonObject)>? smallest = null;
        foreach (var (k, v) in selector)
        {
            if (!_byLabel.TryGetValue((ns, k, v), out var list))
            {
                return [];
            }
            if (smallest is null || list.Count < smallest.Count)
            {
                smallest = list;
            }
        }
        return smallest is null ? [] : smallest.Where(p => LabelSelector.Matches(selector, p.Item1.Labels));
    }

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
