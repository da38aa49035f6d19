using Mesh.Core.Metrics;
using Mesh.Ztunnel.Outbound;
using static Mesh.Tests.Unit.Ztunnel.TestWorkloads;

namespace Mesh.Tests.Unit.Ztunnel.Outbound;

public sealed class OutstandingConnectionsTests
{
    private static readonly Mesh.Core.Model.Workload A = Pod("app", "a", "198.18.1.20");
    private static readonly Mesh.Core.Model.Workload B = Pod("app", "b", "198.18.2.20");

    [Fact]
    public void Open_TwoLeases_CountsPerEndpointUntilDisposed()
    {
        var outstanding = new OutstandingConnections();

        var first = outstanding.Open(A);
        var second = outstanding.Open(A);
        var third = outstanding.Open(B);

        Assert.Equal(2, outstanding.Load(A));
        Assert.Equal(1, outstanding.Load(B));
        Assert.Equal(3, outstanding.Total);
        first.Dispose();
        third.Dispose();
        Assert.Equal(1, outstanding.Load(A));
        Assert.Equal(0, outstanding.Load(B));
        second.Dispose();
        Assert.Equal(0, outstanding.Total);
    }

    [Fact]
    public void Dispose_Twice_ReleasesOnce()
    {
        var outstanding = new OutstandingConnections();
        var kept = outstanding.Open(A);
        var lease = outstanding.Open(A);

        lease.Dispose();
        lease.Dispose();

        Assert.Equal(1, outstanding.Load(A));
        kept.Dispose();
        Assert.Equal(0, outstanding.Load(A));
    }

    [Fact]
    public void Open_NullEndpoint_CountsNothing()
    {
        var outstanding = new OutstandingConnections();

        using (outstanding.Open(null))
        {
            Assert.Equal(0, outstanding.Total);
        }

        Assert.Equal(0, outstanding.Total);
    }

    [Fact]
    public async Task Open_ConcurrentOpensAndCloses_BackToZero()
    {
        var outstanding = new OutstandingConnections();

        await Task.WhenAll(Enumerable.Range(0, 8).Select(t => Task.Run(() =>
        {
            for (var i = 0; i < 5000; i++)
            {
                using var lease = outstanding.Open((t + i) % 2 == 0 ? A : B);
            }
        })));

        Assert.Equal(0, outstanding.Load(A));
        Assert.Equal(0, outstanding.Load(B));
        Assert.Equal(0, outstanding.Total);
    }

    [Fact]
    public async Task Gauge_OpenConnections_ExportedAsTotal()
    {
        var registry = new MetricsRegistry();
        var outstanding = new OutstandingConnections(registry);
        using var a = outstanding.Open(A);
        using var b = outstanding.Open(B);

        var text = await registry.CollectTextAsync();

        Assert.Contains("mesh_ztunnel_outstanding_connections 2", text, StringComparison.Ordinal);
    }
}
