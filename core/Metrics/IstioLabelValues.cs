using System.Collections;

namespace Mesh.Core.Metrics;

/// <summary>
/// The values of one report's Istio labels (<see cref="IstioLabels.Build"/>), aligned with <see cref="Names"/>
/// (<see cref="IstioLabels.TcpNames"/> or <see cref="IstioLabels.HttpNames"/>): <see cref="Values"/> is what a
/// prometheus-net collector created with those names takes in <c>WithLabels</c>.
/// </summary>
public sealed class IstioLabelValues : IReadOnlyList<KeyValuePair<string, string>>
{
    internal IstioLabelValues(string[] names, string[] values)
    {
        Names = names;
        Values = values;
    }

    public IReadOnlyList<string> Names { get; }

    /// <summary>The values in the order of <see cref="Names"/>; not to be changed.</summary>
    public string[] Values { get; }

    public int Count => Values.Length;

    public KeyValuePair<string, string> this[int index] => new(Names[index], Values[index]);

    /// <summary>The value of label <paramref name="name"/>; throws when the report has no such label.</summary>
    public string this[string name]
    {
        get
        {
            for (var i = 0; i < Names.Count; i++)
            {
                if (Names[i] == name)
                {
                    return Values[i];
                }
            }
            throw new KeyNotFoundException($"no Istio label '{name}' in this report");
        }
    }

    public IEnumerator<KeyValuePair<string, string>> GetEnumerator()
    {
        for (var i = 0; i < Values.Length; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
