using Mesh.Core.State;

namespace Mesh.Tests.Unit.Core;

public sealed class SnapshotHolderTests
{
    private sealed record Version(int Number);

    [Fact]
    public void Current_NothingPublished_IsTheInitialSnapshot()
    {
        var initial = new Version(0);
        var holder = new SnapshotHolder<Version>(initial);

        Assert.Same(initial, holder.Current);
        Assert.False(holder.Changed.IsCompleted);
    }

    [Fact]
    public void Publish_Snapshot_BecomesCurrentAndCompletesTheSignalTakenBefore()
    {
        var holder = new SnapshotHolder<Version?>(null);
        var changed = holder.Changed;
        var next = new Version(1);

        holder.Publish(next);

        Assert.Same(next, holder.Current);
        Assert.True(changed.IsCompletedSuccessfully);
    }

    [Fact]
    public void Changed_TakenAfterAPublish_WaitsForTheNextOne()
    {
        var holder = new SnapshotHolder<Version>(new Version(0));
        holder.Publish(new Version(1));

        var changed = holder.Changed;
        Assert.False(changed.IsCompleted);

        holder.Publish(new Version(2));
        Assert.True(changed.IsCompletedSuccessfully);
        Assert.Equal(2, holder.Current.Number);
    }

    [Fact]
    public async Task NextAsync_Cancelled_ThrowsAndTheNextPublishStillSignals()
    {
        var holder = new SnapshotHolder<Version>(new Version(0));
        using var cts = new CancellationTokenSource();
        var waiting = holder.NextAsync(cts.Token);

        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);

        var next = holder.NextAsync(CancellationToken.None);
        holder.Publish(new Version(1));
        await next.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1, holder.Current.Number);
    }

    [Fact]
    public async Task Publish_WaiterContinuation_RunsAfterPublishReturnsNotInsideIt()
    {
        var holder = new SnapshotHolder<Version>(new Version(0));
        using var returned = new ManualResetEventSlim();
        // A continuation run inline by Publish would wait for Publish to return: it would never see the event set.
        var sawReturn = holder.Changed.ContinueWith(_ => returned.Wait(TimeSpan.FromSeconds(10)), TaskScheduler.Default);

        holder.Publish(new Version(1));
        returned.Set();

        Assert.True(await sawReturn.WaitAsync(TimeSpan.FromSeconds(20)));
    }

    [Fact]
    public async Task Changed_TakenBeforeReadingCurrent_ReaderNeverMissesTheLastPublish()
    {
        const int last = 2000;
        var holder = new SnapshotHolder<Version>(new Version(0));
        var reader = Task.Run(async () =>
        {
            while (true)
            {
                var changed = holder.Changed;
                if (holder.Current.Number == last)
                {
                    return;
                }
                await changed.WaitAsync(TimeSpan.FromSeconds(10));
            }
        });

        for (var i = 1; i <= last; i++)
        {
            holder.Publish(new Version(i));
        }

        await reader.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(last, holder.Current.Number);
    }

    [Fact]
    public void DiscoveryClient_State_ReadersGetAViewWithoutPublish()
    {
        // The discovery client is the one writer of the mesh state: what it hands to ztunnel's parts cannot publish.
        var type = typeof(Mesh.Core.Discovery.DiscoveryClient).GetProperty(nameof(Mesh.Core.Discovery.DiscoveryClient.State))!.PropertyType;

        Assert.Equal(typeof(IReadOnlySnapshot<Mesh.Core.Model.MeshState>), type);
        Assert.Null(type.GetMethod(nameof(SnapshotHolder<Version>.Publish)));
    }
}
