using Mesh.Ztunnel.Limits;

namespace Mesh.Tests.Unit.Ztunnel.Limits;

public sealed class BurstLogTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    [Fact]
    public void ShouldLog_Burst_FirstLoggedThenOneLinePerIntervalWithTheCountLeftOut()
    {
        var log = new BurstLog(Interval);
        var lines = new List<(TimeSpan At, int Suppressed)>();
        for (var ms = 0; ms < 12_000; ms += 10) // 1200 refusals over 12 s
        {
            var now = TimeSpan.FromMilliseconds(ms);
            if (log.ShouldLog(RefusalReason.PodLimit, now, out var suppressed))
            {
                lines.Add((now, suppressed));
            }
        }

        Assert.Equal([(TimeSpan.Zero, 0), (TimeSpan.FromSeconds(5), 499), (TimeSpan.FromSeconds(10), 499)], lines);
    }

    [Fact]
    public void ShouldLog_TwoReasons_EachHasItsOwnBurst()
    {
        var log = new BurstLog(Interval);

        Assert.True(log.ShouldLog(RefusalReason.PodLimit, TimeSpan.Zero, out _));
        Assert.True(log.ShouldLog(RefusalReason.RapidReset, TimeSpan.FromSeconds(1), out _));
        Assert.False(log.ShouldLog(RefusalReason.PodLimit, TimeSpan.FromSeconds(1), out _));
    }
}
