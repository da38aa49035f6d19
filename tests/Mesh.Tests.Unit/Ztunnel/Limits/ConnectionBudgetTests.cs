using Mesh.Core.Identity;
using Mesh.Ztunnel.Limits;

namespace Mesh.Tests.Unit.Ztunnel.Limits;

public sealed class ConnectionBudgetTests
{
    private static readonly SpiffeId Peer = SpiffeId.Parse("spiffe://cluster.local/ns/app/sa/attacker");
    private static readonly SpiffeId Other = SpiffeId.Parse("spiffe://cluster.local/ns/app/sa/client");

    [Fact]
    public void TryAcquire_PodFull_RefusedUntilALeaseIsReturned()
    {
        var budget = new ConnectionBudget(new ProxyLimits { MaxConnectionsPerPod = 2 }, nodeLimit: 100);
        var a = budget.TryAcquire("app/server", null, out _);
        var b = budget.TryAcquire("app/server", null, out _);

        var refused = budget.TryAcquire("app/server", null, out var reason);
        var otherPod = budget.TryAcquire("app/client", null, out _);
        a!.Dispose();
        a.Dispose(); // twice: returns one slot only
        var again = budget.TryAcquire("app/server", null, out _);
        var full = budget.TryAcquire("app/server", null, out _);

        Assert.NotNull(b);
        Assert.Null(refused);
        Assert.Equal(RefusalReason.PodLimit, reason);
        Assert.NotNull(otherPod);
        Assert.NotNull(again);
        Assert.Null(full);
    }

    [Fact]
    public void TryAcquire_PeerFullAcrossPods_OtherPeersStillAdmitted()
    {
        var budget = new ConnectionBudget(new ProxyLimits { MaxConnectionsPerPeer = 3 }, nodeLimit: 100);
        var leases = new[] { budget.TryAcquire("a/x", Peer, out _), budget.TryAcquire("a/y", Peer, out _), budget.TryAcquire(null, Peer, out _) };

        var refused = budget.TryAcquire("a/z", Peer, out var reason);
        var other = budget.TryAcquire("a/z", Other, out _);

        Assert.All(leases, Assert.NotNull);
        Assert.Null(refused);
        Assert.Equal(RefusalReason.PeerLimit, reason);
        Assert.NotNull(other);
        Assert.Equal(3, budget.NodeConnections); // the peer-only lease holds no descriptor of its own
    }

    [Fact]
    public void TryAcquire_NodeFull_RefusedForEveryPod()
    {
        var budget = new ConnectionBudget(new ProxyLimits(), nodeLimit: 2);
        budget.TryAcquire("a/x", null, out _);
        budget.TryAcquire("a/y", null, out _);

        Assert.Null(budget.TryAcquire("a/z", null, out var reason));
        Assert.Equal(RefusalReason.NodeLimit, reason);
    }
}
