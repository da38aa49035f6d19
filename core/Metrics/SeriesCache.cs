using System.Collections.Concurrent;

namespace Mesh.Core.Metrics;

/// <summary>
/// The resolved series (prometheus-net children) of one set of label values, found by an ordinal, order-sensitive hash
/// of the values: prometheus-net's own lookup hashes a label set as the XOR of its values' hashes, so two equal values
/// cancel out (Istio's labels have many: destination_workload = destination_canonical_service unless an app label is
/// set, "unknown" several times), and series that differ only there share one hash and are searched one by one, which
/// made a ztunnel connection's four lookups grow with the number of series (bench/MetricsCost). A hit allocates
/// nothing; a miss resolves the series once through <c>WithLabels</c>.
/// </summary>
public sealed class SeriesCache<TSeries>(Func<string[], TSeries> resolve)
{
    private readonly ConcurrentDictionary<string[], TSeries> _series = new(ValuesComparer.Instance);

    /// <summary>The series of <paramref name="values"/> (not to be changed afterwards: the array may become the key).</summary>
    public TSeries Get(string[] values) =>
        _series.TryGetValue(values, out var series) ? series : _series.GetOrAdd(values, resolve);

    public int Count => _series.Count;

    private sealed class ValuesComparer : IEqualityComparer<string[]>
    {
        public static readonly ValuesComparer Instance = new();

        public bool Equals(string[]? x, string[]? y) =>
            ReferenceEquals(x, y) || (x is not null && y is not null && x.AsSpan().SequenceEqual(y));

        public int GetHashCode(string[] values)
        {
            var hash = new HashCode();
            foreach (var v in values)
            {
                hash.Add(v, StringComparer.Ordinal);
            }
            return hash.ToHashCode();
        }
    }
}
