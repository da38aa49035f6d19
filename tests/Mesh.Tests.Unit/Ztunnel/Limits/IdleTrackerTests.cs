using Mesh.Tests.Common;
using Mesh.Ztunnel.Limits;

namespace Mesh.Tests.Unit.Ztunnel.Limits;

public sealed class IdleTrackerTests
{
    [Fact]
    public void Sweep_RelayIdleForTheTimeout_TokenFiresWhileABusyOneKeepsGoing()
    {
        var time = new ManualTimeProvider();
        using var tracker = new IdleTracker(TimeSpan.FromMinutes(10), time);
        using var idle = tracker.Track(CancellationToken.None);
        using var busy = tracker.Track(CancellationToken.None);

        for (var i = 0; i < 12; i++)
        {
            time.Advance(TimeSpan.FromMinutes(1));
            busy.Touch();
        }

        Assert.True(idle.Token.IsCancellationRequested);
        Assert.True(idle.IdledOut);
        Assert.False(busy.Token.IsCancellationRequested);
    }

    [Fact]
    public void Track_OuterTokenCancelled_RelayTokenFiresAndEndedRelaysAreForgotten()
    {
        using var tracker = new IdleTracker(TimeSpan.Zero);
        using var outer = new CancellationTokenSource();
        var activity = tracker.Track(outer.Token);

        outer.Cancel();
        var fired = activity.Token.IsCancellationRequested;
        activity.Dispose();

        Assert.True(fired);
        Assert.False(activity.IdledOut);
        Assert.Equal(0, tracker.Open);
    }
}
