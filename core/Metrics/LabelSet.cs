using System.Collections.Immutable;
using System.Text;

namespace Mesh.Core.Metrics;

/// <summary>The labels of one series: sanitized names, sorted by name, values as strings. <see cref="Key"/> identifies the series.</summary>
internal sealed class LabelSet
{
    public static readonly LabelSet Empty = new([], string.Empty);

    private LabelSet(ImmutableArray<KeyValuePair<string, string>> pairs, string key)
    {
        Pairs = pairs;
        Key = key;
    }

    public ImmutableArray<KeyValuePair<string, string>> Pairs { get; }
    public string Key { get; }

    public static LabelSet From(IEnumerable<KeyValuePair<string, object?>>? instrumentTags, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.IsEmpty && instrumentTags is null)
        {
            return Empty;
        }
        var list = new List<KeyValuePair<string, string>>(tags.Length + 4);
        if (instrumentTags is not null)
        {
            foreach (var t in instrumentTags)
            {
                list.Add(new(PrometheusNames.LabelName(t.Key), Format(t.Value)));
            }
        }
        foreach (var t in tags)
        {
            list.Add(new(PrometheusNames.LabelName(t.Key), Format(t.Value)));
        }
        if (list.Count == 0)
        {
            return Empty;
        }
        // Sorted by name; on a duplicate name the measurement's tag (added last) wins.
        list.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        var deduped = ImmutableArray.CreateBuilder<KeyValuePair<string, string>>(list.Count);
        for (var i = 0; i < list.Count; i++)
        {
            if (i + 1 < list.Count && list[i + 1].Key == list[i].Key)
            {
                continue;
            }
            deduped.Add(list[i]);
        }
        var key = new StringBuilder();
        foreach (var p in deduped)
        {
            key.Append(p.Key).Append('\0').Append(p.Value).Append('\0');
        }
        return new LabelSet(deduped.ToImmutable(), key.ToString());
    }

    private static string Format(object? value) => value switch
    {
        null => string.Empty,
        string s => s,
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };
}
