using System.Collections.Immutable;
using Mesh.Core.Model;
using Mesh.Tests.Common;
using Mesh.Waypoint.Routing;
using static Mesh.Tests.Unit.Waypoint.RouteFixtures;

namespace Mesh.Tests.Unit.Waypoint;

public sealed class EndpointEjectorTests
{
    private static readonly BackendEndpoint A = new(Pod("a", "198.18.1.3"), System.Net.IPEndPoint.Parse("198.18.1.3:8080"));
    private static readonly BackendEndpoint B = new(Pod("b", "198.18.1.4"), System.Net.IPEndPoint.Parse("198.18.1.4:8080"));
    private static readonly BackendEndpoint C = new(Pod("c", "198.18.1.5"), System.Net.IPEndPoint.Parse("198.18.1.5:8080"));
    private static readonly ImmutableArray<BackendEndpoint> Two = [A, B];

    /// <summary>Linkerd's consecutive-failure defaults with a 10 s min penalty, 5 min cap, no jitter.</summary>
    private static readonly FailureAccrualSettings NoJitter = FailureAccrualSettings.Default with { JitterRatio = 0 };

    private static EndpointEjector Ejector(ManualTimeProvider time, FailureAccrualSettings? settings = null) =>
        new(settings ?? NoJitter, time, new Random(1));

    /// <summary>Records <paramref name="n"/> verdicts on <paramref name="endpoint"/>; returns the last change.</summary>
    private static EjectionChange RecordMany(EndpointEjector ejector, BackendEndpoint endpoint, EndpointVerdict verdict, int n,
        ImmutableArray<BackendEndpoint>? endpoints = null)
    {
        var last = EjectionChange.None;
        for (var i = 0; i < n; i++)
        {
            last = ejector.Record(endpoint, verdict, endpoints ?? Two);
        }
        return last;
    }

    [Fact]
    public void Record_SevenFailuresInARow_EjectsForTheMinPenalty()
    {
        var ejector = Ejector(new ManualTimeProvider());

        Assert.Equal(EjectionChange.None, RecordMany(ejector, A, EndpointVerdict.Failure, 6));
        var change = ejector.Record(A, EndpointVerdict.Failure, Two);

        Assert.Equal(EjectionKind.Ejected, change.Kind);
        Assert.Equal("consecutive_failures", change.Reason);
        Assert.Equal(TimeSpan.FromSeconds(10), change.Penalty);
        Assert.Equal<BackendEndpoint>([B], ejector.Choose(Two).Pool);
    }

    [Fact]
    public void Record_SuccessBetweenFailures_StartsTheCountAgain()
    {
        var ejector = Ejector(new ManualTimeProvider());

        RecordMany(ejector, A, EndpointVerdict.Failure, 6);
        ejector.Record(A, EndpointVerdict.Success, Two);
        var change = RecordMany(ejector, A, EndpointVerdict.Failure, 6);

        Assert.Equal(EjectionKind.None, change.Kind);
        Assert.Equal<BackendEndpoint>(Two, ejector.Choose(Two).Pool);
    }

    [Fact]
    public void Choose_PenaltyOver_OneProbeThenSuccessReturnsTheEndpoint()
    {
        var time = new ManualTimeProvider();
        var ejector = Ejector(time);
        RecordMany(ejector, A, EndpointVerdict.Failure, 7);

        time.Advance(TimeSpan.FromSeconds(9.9));
        Assert.Null(ejector.Choose(Two).Probe);
        time.Advance(TimeSpan.FromSeconds(0.1));
        var probe = ejector.Choose(Two);
        // Only one probe at a time: the next attempt goes to the others.
        var next = ejector.Choose(Two);
        var returned = ejector.Record(A, EndpointVerdict.Success, Two);

        Assert.Equal(A, probe.Probe);
        Assert.Null(next.Probe);
        Assert.Equal<BackendEndpoint>([B], next.Pool);
        Assert.Equal(EjectionKind.Returned, returned.Kind);
        Assert.Equal<BackendEndpoint>(Two, ejector.Choose(Two).Pool);
    }

    [Fact]
    public void Record_ProbesKeepFailing_PenaltyDoublesUpToTheCap()
    {
        var time = new ManualTimeProvider();
        var ejector = Ejector(time);
        var penalties = new List<double> { RecordMany(ejector, A, EndpointVerdict.Failure, 7).Penalty.TotalSeconds };

        for (var i = 0; i < 7; i++)
        {
            time.Advance(TimeSpan.FromMinutes(5));
            Assert.Equal(A, ejector.Choose(Two).Probe);
            var change = ejector.Record(A, EndpointVerdict.Failure, Two);
            Assert.Equal("probe_failed", change.Reason);
            penalties.Add(change.Penalty.TotalSeconds);
        }

        Assert.Equal([10, 20, 40, 80, 160, 300, 300, 300], penalties);
    }

    [Fact]
    public void Record_ReturnedEndpointFailsAgain_PenaltyStartsFromTheMin()
    {
        var time = new ManualTimeProvider();
        var ejector = Ejector(time);
        RecordMany(ejector, A, EndpointVerdict.Failure, 7);
        time.Advance(TimeSpan.FromSeconds(10));
        ejector.Choose(Two);
        ejector.Record(A, EndpointVerdict.Failure, Two);
        time.Advance(TimeSpan.FromSeconds(20));
        ejector.Choose(Two);
        ejector.Record(A, EndpointVerdict.Success, Two);

        var again = RecordMany(ejector, A, EndpointVerdict.Failure, 7);

        Assert.Equal(EjectionKind.Ejected, again.Kind);
        Assert.Equal(TimeSpan.FromSeconds(10), again.Penalty);
    }

    [Fact]
    public void Record_BothOfTwoFailing_OnlyHalfEjectedAndTheOtherStays()
    {
        var ejector = Ejector(new ManualTimeProvider());

        var first = RecordMany(ejector, A, EndpointVerdict.Failure, 7);
        var second = RecordMany(ejector, B, EndpointVerdict.Failure, 20);

        Assert.Equal(EjectionKind.Ejected, first.Kind);
        Assert.Equal(EjectionKind.None, second.Kind);
        Assert.Equal<BackendEndpoint>([B], ejector.Choose(Two).Pool);
    }

    [Fact]
    public void Record_SingleEndpoint_NeverEjected()
    {
        var ejector = Ejector(new ManualTimeProvider());

        var change = RecordMany(ejector, A, EndpointVerdict.Failure, 100, [A]);

        Assert.Equal(EjectionKind.None, change.Kind);
        Assert.Equal<BackendEndpoint>([A], ejector.Choose([A]).Pool);
    }

    [Fact]
    public void Choose_EveryEndpointEjected_FallsBackToAll()
    {
        var ejector = Ejector(new ManualTimeProvider(), NoJitter with { MaxEjectedPercent = 100 });

        RecordMany(ejector, A, EndpointVerdict.Failure, 7);
        RecordMany(ejector, B, EndpointVerdict.Failure, 7);

        Assert.Equal<BackendEndpoint>(Two, ejector.Choose(Two).Pool);
    }

    [Fact]
    public void Choose_ProbeDueButAvoidedByThisRequest_NotProbedAndStaysOut()
    {
        var time = new ManualTimeProvider();
        var ejector = Ejector(time, NoJitter with { MaxEjectedPercent = 34 });
        ImmutableArray<BackendEndpoint> three = [A, B, C];
        RecordMany(ejector, A, EndpointVerdict.Failure, 7, three);
        time.Advance(TimeSpan.FromSeconds(10));

        var choice = ejector.Choose(three, [A]);

        Assert.Null(choice.Probe);
        Assert.Equal<BackendEndpoint>([B, C], choice.Pool);
        Assert.Equal(A, ejector.Choose(three).Probe);
    }

    [Fact]
    public void Record_NeutralProbe_NextAttemptProbesAgain()
    {
        var time = new ManualTimeProvider();
        var ejector = Ejector(time);
        RecordMany(ejector, A, EndpointVerdict.Failure, 7);
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(A, ejector.Choose(Two).Probe);

        var change = ejector.Record(A, EndpointVerdict.Neutral, Two);

        Assert.Equal(EjectionKind.None, change.Kind);
        Assert.Equal(A, ejector.Choose(Two).Probe);
    }

    [Fact]
    public void Record_FailureRateOverThreshold_EjectsWithoutConsecutiveFailures()
    {
        var ejector = Ejector(new ManualTimeProvider(), NoJitter with { ConsecutiveFailures = 0, FailureRate = 0.5, FailureRateMinRequests = 20 });
        var last = EjectionChange.None;

        // Alternating success and failure: never two failures in a row, half of them failed.
        for (var i = 0; i < 20 && last.Kind == EjectionKind.None; i++)
        {
            last = ejector.Record(A, i % 2 == 0 ? EndpointVerdict.Success : EndpointVerdict.Failure, Two);
        }

        Assert.Equal(EjectionKind.Ejected, last.Kind);
        Assert.Equal("failure_rate", last.Reason);
    }

    [Fact]
    public void Record_FailureRateOldFailuresLeftTheWindow_NotEjected()
    {
        var time = new ManualTimeProvider();
        var ejector = Ejector(time, NoJitter with { ConsecutiveFailures = 0, FailureRate = 0.5, FailureRateMinRequests = 20 });
        RecordMany(ejector, A, EndpointVerdict.Failure, 15);
        time.Advance(TimeSpan.FromSeconds(11));

        var change = RecordMany(ejector, A, EndpointVerdict.Success, 19);
        change = ejector.Record(A, EndpointVerdict.Failure, Two);

        Assert.Equal(EjectionKind.None, change.Kind);
    }

    [Fact]
    public void Penalty_Jitter_AddsUpToTheRatioAndStaysUnderTheCap()
    {
        var ejector = Ejector(new ManualTimeProvider(), FailureAccrualSettings.Default);

        Assert.Equal(TimeSpan.FromSeconds(10), ejector.Penalty(1, 0));
        Assert.Equal(TimeSpan.FromSeconds(15), ejector.Penalty(1, 1));
        Assert.Equal(TimeSpan.FromMinutes(5), ejector.Penalty(6, 1));
    }
}
