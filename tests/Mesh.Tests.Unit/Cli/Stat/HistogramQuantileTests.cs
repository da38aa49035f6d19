using Mesh.Cli.Stat;

namespace Mesh.Tests.Unit.Cli.Stat;

/// <summary>Expected values worked out by Prometheus' histogram_quantile algorithm (promql/quantile.go) by hand.</summary>
public sealed class HistogramQuantileTests
{
    private static readonly (double, double)[] Buckets = [(1, 10), (5, 30), (10, 90), (double.PositiveInfinity, 100)];

    [Theory]
    [InlineData(0.05, 0.5)]    // rank 5 in (0,1]: 0 + 1 * 5/10
    [InlineData(0.2, 3)]       // rank 20 in (1,5]: 1 + 4 * 10/20
    [InlineData(0.5, 6.6666666666666667)] // rank 50 in (5,10]: 5 + 5 * 20/60
    [InlineData(0.9, 10)]      // rank 90: exactly the top of (5,10]
    [InlineData(0.95, 10)]     // rank 95 in +Inf: the highest finite bound
    public void Compute_Quantile_InterpolatesInsideItsBucket(double q, double expected) =>
        Assert.Equal(expected, HistogramQuantile.Compute(q, Buckets), 9);

    [Fact]
    public void Compute_BucketsInAnyOrder_SameAnswer() =>
        Assert.Equal(HistogramQuantile.Compute(0.5, Buckets), HistogramQuantile.Compute(0.5, Buckets.Reverse()));

    [Fact]
    public void Compute_NoObservations_NaN() =>
        Assert.True(double.IsNaN(HistogramQuantile.Compute(0.5, [(1, 0), (double.PositiveInfinity, 0)])));

    [Fact]
    public void Compute_WithoutInfBucket_NaN() =>
        Assert.True(double.IsNaN(HistogramQuantile.Compute(0.5, [(1, 3), (5, 4)])));

    [Fact]
    public void Compute_QuantileOutOfRange_Infinities()
    {
        Assert.Equal(double.NegativeInfinity, HistogramQuantile.Compute(-0.1, Buckets));
        Assert.Equal(double.PositiveInfinity, HistogramQuantile.Compute(1.1, Buckets));
    }

    [Fact]
    public void Compute_NonMonotonicCounts_TreatedAsMonotonic() =>
        // (5, 8) is below (1, 10): taken as 10, so rank 15 lands in (5,10] with 10..20: 5 + 5 * 5/10.
        Assert.Equal(7.5, HistogramQuantile.Compute(0.75, [(1, 10), (5, 8), (10, 20), (double.PositiveInfinity, 20)]), 9);

    [Fact]
    public void Compute_FirstBucketNotPositive_ItsBound() =>
        Assert.Equal(-1, HistogramQuantile.Compute(0.1, [(-1, 5), (0, 10), (double.PositiveInfinity, 10)]));
}
