using Mesh.Tests.Common;
using Mesh.Waypoint.Routing;
using static Mesh.Tests.Unit.Waypoint.RouteFixtures;

namespace Mesh.Tests.Unit.Waypoint;

public sealed class PeakEwmaBalancerTests
{
    private static readonly BackendEndpoint A = new(Pod("a", "198.18.1.3"), System.Net.IPEndPoint.Parse("198.18.1.3:8080"));
    private static readonly BackendEndpoint B = new(Pod("b", "198.18.1.4"), System.Net.IPEndPoint.Parse("198.18.1.4:8080"));
    private static readonly BackendEndpoint C = new(Pod("c", "198.18.1.5"), System.Net.IPEndPoint.Parse("198.18.1.5:8080"));

    /// <summary>One attempt that takes <paramref name="latency"/> of the chosen endpoint on the manual clock.</summary>
    private static BackendEndpoint Serve(PeakEwmaBalancer balancer, ManualTimeProvider time, Random random, Func<BackendEndpoint, TimeSpan> latency)
    {
        var attempt = balancer.Pick([A, B], random);
        time.Advance(latency(attempt.Endpoint));
        attempt.Complete();
        return attempt.Endpoint;
    }

    [Fact]
    public void Pick_OneEndpointFiftyMsSlower_MostAttemptsGoToTheFastOne()
    {
        var time = new ManualTimeProvider();
        var balancer = new PeakEwmaBalancer(time);
        var random = new Random(7);

        var toA = Enumerable.Range(0, 1000).Count(_ =>
            Serve(balancer, time, random, e => TimeSpan.FromMilliseconds(e == A ? 5 : 55)) == A);

        // Uniform would be 500; the slow endpoint is only tried again when A's outstanding load or decay says so.
        Assert.True(toA >= 900, $"{toA}/1000 to the fast endpoint");
    }

    [Fact]
    public void Pick_FastEndpointSlowsDown_TrafficMovesToTheOther()
    {
        var time = new ManualTimeProvider();
        var balancer = new PeakEwmaBalancer(time);
        var random = new Random(11);
        for (var i = 0; i < 200; i++)
        {
            Serve(balancer, time, random, e => TimeSpan.FromMilliseconds(e == A ? 5 : 55));
        }

        // A becomes 200 ms slow: its first slow answer is its new peak at once.
        var toB = Enumerable.Range(0, 200).Count(_ =>
            Serve(balancer, time, random, e => TimeSpan.FromMilliseconds(e == A ? 200 : 55)) == B);

        Assert.True(toB >= 190, $"{toB}/200 to the now faster endpoint");
    }

    [Fact]
    public void Pick_EqualEndpointsAllOutstanding_SpreadByOutstandingCount()
    {
        var balancer = new PeakEwmaBalancer(new ManualTimeProvider());
        var random = new Random(3);

        var picks = Enumerable.Range(0, 30).Select(_ => balancer.Pick([A, B, C], random).Endpoint).ToList();

        // Same latency, so load = outstanding + 1: two choices keep every endpoint within a few of the others.
        Assert.All(new[] { A, B, C }, e => Assert.InRange(picks.Count(p => p == e), 7, 13));
    }

    [Fact]
    public void Complete_LowerSample_DecaysTowardsItWithTime()
    {
        var time = new ManualTimeProvider();
        var balancer = new PeakEwmaBalancer(time);
        var slow = balancer.Pick([A], new Random(1));
        time.Advance(TimeSpan.FromMilliseconds(100));
        slow.Complete();
        Assert.Equal(100, balancer.Cost(A), 3);

        time.Advance(PeakEwmaBalancer.Decay - TimeSpan.FromMilliseconds(10));
        var fast = balancer.Pick([A], new Random(1));
        time.Advance(TimeSpan.FromMilliseconds(10));
        fast.Complete();

        // One time constant later: 100 e^-1 + 10 (1 - e^-1).
        Assert.Equal(100 * Math.Exp(-1) + 10 * (1 - Math.Exp(-1)), balancer.Cost(A), 3);
    }

    [Fact]
    public void Complete_Twice_CountsOnce()
    {
        var time = new ManualTimeProvider();
        var balancer = new PeakEwmaBalancer(time);
        var attempt = balancer.Pick([A], new Random(1));
        var outstanding = balancer.Pick([A], new Random(1));
        time.Advance(TimeSpan.FromMilliseconds(10));

        attempt.Complete();
        attempt.Complete();

        // Still one outstanding: 10 ms × 2.
        Assert.Equal(20, balancer.Cost(A), 3);
        outstanding.Complete();
    }

    [Fact]
    public void Pick_EndpointFailingFast_AvoidedDespiteItsLowLatency()
    {
        var time = new ManualTimeProvider();
        var balancer = new PeakEwmaBalancer(time);
        var random = new Random(5);

        var toB = Enumerable.Range(0, 200).Count(_ =>
        {
            var attempt = balancer.Pick([A, B], random);
            time.Advance(TimeSpan.FromMilliseconds(attempt.Endpoint == A ? 1 : 50));
            attempt.Complete(failed: attempt.Endpoint == A);
            return attempt.Endpoint == B;
        });

        Assert.True(toB >= 190, $"{toB}/200 to the endpoint that answers");
    }

    [Fact]
    public void Pick_AvoidsFailedWhileOthersRemain()
    {
        var balancer = new PeakEwmaBalancer(new ManualTimeProvider());
        var random = new Random(3);

        Assert.All(Enumerable.Range(0, 100), _ => Assert.Same(B, balancer.Pick([A, B], random, [A]).Endpoint));
    }

    [Fact]
    public void Pick_AllFailed_StillPicksOne()
    {
        var balancer = new PeakEwmaBalancer(new ManualTimeProvider());

        Assert.Contains(balancer.Pick([A, B], new Random(3), [A, B]).Endpoint, new[] { A, B });
    }

    [Fact]
    public void Pick_Empty_Throws()
    {
        Assert.Throws<ArgumentException>(() => new PeakEwmaBalancer(new ManualTimeProvider()).Pick([], new Random(1)));
    }

    [Fact]
    public void Pick_WithEjector_SkipsTheEjectedEndpointThenProbesItAfterThePenalty()
    {
        var time = new ManualTimeProvider();
        var balancer = new PeakEwmaBalancer(time);
        var ejector = new EndpointEjector(Mesh.Core.Model.FailureAccrualSettings.Default with { JitterRatio = 0 }, time, new Random(1));
        for (var i = 0; i < 7; i++)
        {
            ejector.Record(A, EndpointVerdict.Failure, [A, B]);
        }
        var random = new Random(3);

        var during = Enumerable.Range(0, 100).Select(_ => balancer.Pick([A, B], random, ejector: ejector)).ToList();
        during.ForEach(a => a.Complete());
        time.Advance(TimeSpan.FromSeconds(10));
        var probe = balancer.Pick([A, B], random, ejector: ejector);

        Assert.All(during, a => Assert.Equal(B, a.Endpoint));
        Assert.Equal(A, probe.Endpoint);
    }

    [Fact]
    public void Complete_AttemptOpenedItsConnection_ConnectTimeLeftOutOfTheEstimate()
    {
        var time = new ManualTimeProvider();
        var balancer = new PeakEwmaBalancer(time);

        var attempt = balancer.Pick([A], new Random(1));
        time.Advance(TimeSpan.FromMilliseconds(305));
        attempt.Complete(excluded: TimeSpan.FromMilliseconds(300));

        Assert.Equal(5, balancer.Cost(A), 3);
    }
}
