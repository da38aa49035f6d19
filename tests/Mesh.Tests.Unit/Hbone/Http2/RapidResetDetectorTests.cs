using Mesh.Core.Hbone.Http2;

namespace Mesh.Tests.Unit.Hbone.Http2;

public sealed class RapidResetDetectorTests
{
    [Fact]
    public void OnReset_BurstAtOnce_AllowedUpToTheBurstThenRefused()
    {
        var d = new RapidResetDetector(burst: 200, perSecond: 100);

        var allowed = Enumerable.Range(0, 1000).Count(_ => d.OnReset(TimeSpan.FromSeconds(1)));

        Assert.Equal(200, allowed);
    }

    [Fact]
    public void OnReset_SteadyRateBelowTheRefill_NeverRefused()
    {
        var d = new RapidResetDetector(burst: 10, perSecond: 100);

        // 50 resets a second for a minute: a client that cancels a lot, but not an attack.
        var refused = Enumerable.Range(0, 3000).Count(i => !d.OnReset(TimeSpan.FromMilliseconds(i * 20)));

        Assert.Equal(0, refused);
    }

    [Fact]
    public void OnReset_AfterAPause_BudgetRefilled()
    {
        var d = new RapidResetDetector(burst: 5, perSecond: 1);
        for (var i = 0; i < 5; i++)
        {
            Assert.True(d.OnReset(TimeSpan.Zero));
        }
        Assert.False(d.OnReset(TimeSpan.Zero));

        Assert.True(d.OnReset(TimeSpan.FromSeconds(2)));
        Assert.True(d.OnReset(TimeSpan.FromSeconds(2)));
        Assert.False(d.OnReset(TimeSpan.FromSeconds(2)));
    }
}
