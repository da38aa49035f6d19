using Mesh.Bench.LoadGen;

namespace Mesh.Tests.Unit.Bench;

public sealed class LatencySummaryTests
{
    [Fact]
    public void From_HundredSamples_NearestRankPercentiles()
    {
        var samples = Enumerable.Range(1, 100).Select(i => (double)i).Reverse().ToList();

        var s = LatencySummary.From(samples);

        Assert.Equal(100, s.Count);
        Assert.Equal(50, s.P50);
        Assert.Equal(90, s.P90);
        Assert.Equal(99, s.P99);
        Assert.Equal(100, s.P999);
        Assert.Equal(100, s.Max);
        Assert.Equal(50.5, s.Mean);
    }

    [Fact]
    public void From_OneSlowOutlierInThousand_ShowsOnlyAtP999()
    {
        var samples = Enumerable.Repeat(100.0, 999).Append(50_000.0).ToList();

        var s = LatencySummary.From(samples);

        Assert.Equal(100, s.P99);
        Assert.Equal(100, s.P999);
        Assert.Equal(50_000, s.Max);
    }

    [Fact]
    public void From_NoSamples_AllZero()
    {
        var s = LatencySummary.From([]);

        Assert.Equal(0, s.Count);
        Assert.Equal(0, s.P99);
    }
}
