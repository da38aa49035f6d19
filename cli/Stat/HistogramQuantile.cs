namespace Mesh.Cli.Stat;

/// <summary>
/// Prometheus' <c>histogram_quantile</c> on cumulative buckets (upper bound <c>le</c> -> count of observations at or
/// below it; the deltas of two scrapes are such buckets): find the bucket the rank q*total falls in and interpolate
/// linearly inside it, the lowest bucket starting at 0 (when its bound is positive). A rank in the +Inf bucket answers
/// the highest finite bound; no observations, no +Inf bucket or fewer than two buckets answer NaN; q below 0 is -Inf,
/// above 1 +Inf. Counts that are not monotonic (series lost between scrapes) are made so, as Prometheus does. Pure.
/// </summary>
internal static class HistogramQuantile
{
    public static double Compute(double q, IEnumerable<(double UpperBound, double Count)> buckets)
    {
        if (double.IsNaN(q))
        {
            return double.NaN;
        }
        if (q < 0)
        {
            return double.NegativeInfinity;
        }
        if (q > 1)
        {
            return double.PositiveInfinity;
        }
        var sorted = buckets.OrderBy(b => b.UpperBound).ToList();
        if (sorted.Count < 2 || !double.IsPositiveInfinity(sorted[^1].UpperBound))
        {
            return double.NaN;
        }
        for (var i = 1; i < sorted.Count; i++)
        {
            if (sorted[i].Count < sorted[i - 1].Count)
            {
                sorted[i] = (sorted[i].UpperBound, sorted[i - 1].Count);
            }
        }
        var total = sorted[^1].Count;
        if (total <= 0 || double.IsNaN(total))
        {
            return double.NaN;
        }
        var rank = q * total;
        var b = sorted.FindIndex(x => x.Count >= rank);
        if (b == sorted.Count - 1)
        {
            return sorted[^2].UpperBound;
        }
        if (b == 0 && sorted[0].UpperBound <= 0)
        {
            return sorted[0].UpperBound;
        }
        var lower = b == 0 ? 0 : sorted[b - 1].UpperBound;
        var below = b == 0 ? 0 : sorted[b - 1].Count;
        var inBucket = sorted[b].Count - below;
        return lower + ((sorted[b].UpperBound - lower) * ((rank - below) / inBucket));
    }
}
