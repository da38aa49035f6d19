namespace Mesh.Bench.LoadGen;

/// <summary>Percentiles of latencies in microseconds (nearest-rank), computed once from all samples.</summary>
internal sealed record LatencySummary(int Count, double P50, double P90, double P99, double P999, double Max, double Mean)
{
    public static LatencySummary From(IReadOnlyCollection<double> samplesUs)
    {
        if (samplesUs.Count == 0)
        {
            return new LatencySummary(0, 0, 0, 0, 0, 0, 0);
        }
        var sorted = samplesUs.ToArray();
        Array.Sort(sorted);
        return new LatencySummary(sorted.Length, Rank(sorted, 0.50), Rank(sorted, 0.90), Rank(sorted, 0.99),
            Rank(sorted, 0.999), sorted[^1], sorted.Average());
    }

    /// <summary>Nearest-rank percentile: the smallest sample with at least q of all samples at or below it.</summary>
    public static double Rank(double[] sorted, double q)
    {
        var rank = (int)Math.Ceiling(q * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }
}
