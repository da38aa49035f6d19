using Mesh.Core.Model;
using Mesh.Tests.Common;
using Mesh.Waypoint.Routing;

namespace Mesh.Tests.Unit.Waypoint;

public sealed class RetryBudgetTests
{
    private static int Withdrawn(RetryBudget budget, int tries) => Enumerable.Range(0, tries).Count(_ => budget.TryWithdraw());

    [Fact]
    public void TryWithdraw_NoOriginals_OnlyTheMinimumPerSecondTimesTheWindow()
    {
        var budget = new RetryBudget(new RetryBudgetSettings { Ratio = 0.2, MinPerSecond = 3, Window = TimeSpan.FromSeconds(10) }, new ManualTimeProvider());

        Assert.Equal(30, Withdrawn(budget, 100));
    }

    [Fact]
    public void TryWithdraw_ManyOriginals_RatioOfThemPlusTheMinimum()
    {
        var budget = new RetryBudget(new RetryBudgetSettings { Ratio = 0.2, MinPerSecond = 1, Window = TimeSpan.FromSeconds(10) }, new ManualTimeProvider());
        for (var i = 0; i < 500; i++)
        {
            budget.Deposit();
        }

        Assert.Equal(100 + 10, Withdrawn(budget, 1000));
    }

    [Fact]
    public void TryWithdraw_Exhausted_RefusesUntilRetriesLeaveTheWindow()
    {
        var time = new ManualTimeProvider();
        var budget = new RetryBudget(new RetryBudgetSettings { Ratio = 0, MinPerSecond = 1, Window = TimeSpan.FromSeconds(10) }, time);
        Assert.Equal(10, Withdrawn(budget, 20));

        time.Advance(TimeSpan.FromSeconds(5));
        Assert.False(budget.TryWithdraw());
        time.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal(10, Withdrawn(budget, 20));
    }

    [Fact]
    public void TryWithdraw_OriginalsOlderThanTheWindow_NoLongerEarnRetries()
    {
        var time = new ManualTimeProvider();
        var budget = new RetryBudget(new RetryBudgetSettings { Ratio = 0.5, MinPerSecond = 0, Window = TimeSpan.FromSeconds(10) }, time);
        for (var i = 0; i < 40; i++)
        {
            budget.Deposit();
        }

        time.Advance(TimeSpan.FromSeconds(8));
        Assert.Equal(5, Withdrawn(budget, 5));
        time.Advance(TimeSpan.FromSeconds(3));

        // The 40 originals left the window (the 5 retries left with them: their slot is 8 s old, still inside, but
        // the budget they drew on is gone).
        Assert.Equal(0, Withdrawn(budget, 5));
    }

    [Fact]
    public void TryWithdraw_ConcurrentCallers_NeverMoreThanTheBudget()
    {
        var budget = new RetryBudget(new RetryBudgetSettings { Ratio = 0.2, MinPerSecond = 5, Window = TimeSpan.FromSeconds(10) }, new ManualTimeProvider());
        for (var i = 0; i < 1000; i++)
        {
            budget.Deposit();
        }
        var granted = 0;

        Parallel.For(0, 8, _ =>
        {
            for (var i = 0; i < 1000; i++)
            {
                if (budget.TryWithdraw())
                {
                    Interlocked.Increment(ref granted);
                }
            }
        });

        Assert.Equal(200 + 50, granted);
    }

    [Fact]
    public void Constructor_ZeroWindow_Refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RetryBudget(new RetryBudgetSettings { Window = TimeSpan.Zero }, TimeProvider.System));
    }

    [Fact]
    public void For_SameServiceAndSettings_OneBudget()
    {
        var budgets = new RetryBudgets(new ManualTimeProvider());
        var settings = new RetryBudgetSettings { Ratio = 0, MinPerSecond = 0.1, Window = TimeSpan.FromSeconds(10) };

        Assert.True(budgets.For("echo.app.svc.cluster.local", settings).TryWithdraw());

        Assert.False(budgets.For("echo.app.svc.cluster.local", settings with { }).TryWithdraw());
        Assert.True(budgets.For("other.app.svc.cluster.local", settings).TryWithdraw());
        Assert.True(budgets.For("echo.app.svc.cluster.local", settings with { MinPerSecond = 0.2 }).TryWithdraw());
    }
}
