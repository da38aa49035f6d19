using Mesh.Tests.Common;
using Mesh.Ztunnel.Limits;

namespace Mesh.Tests.Unit.Ztunnel.Limits;

public sealed class MemoryTrimTests
{
    [Theory]
    [InlineData(100, 0, false)]     // a small burst: not worth a full GC
    [InlineData(5000, 4000, false)] // still busy
    [InlineData(5000, 1250, true)]  // down to a quarter of the peak
    [InlineData(5000, 0, true)]
    public void ShouldTrim_PeakAndNow_TrimsOnlyAfterABurstHasPassed(int peak, int now, bool expected) =>
        Assert.Equal(expected, MemoryTrim.ShouldTrim(peak, now));

    [Fact]
    public void Tick_BurstThenQuiet_TrimsOnceUntilTheNextBurst()
    {
        var time = new ManualTimeProvider();
        var connections = 0;
        using var trim = new MemoryTrim(() => connections, time);

        foreach (var c in new[] { 10, 3000, 9000, 4000, 100, 0, 0 })
        {
            connections = c;
            time.Advance(MemoryTrim.Period);
        }
        var afterFirst = trim.Trims;
        connections = 2000;
        time.Advance(MemoryTrim.Period);
        connections = 10;
        time.Advance(MemoryTrim.Period);

        Assert.Equal(1, afterFirst);
        Assert.Equal(2, trim.Trims);
    }
}
