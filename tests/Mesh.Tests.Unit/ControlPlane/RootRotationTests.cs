using Mesh.ControlPlane.Ca;

namespace Mesh.Tests.Unit.ControlPlane;

public sealed class RootRotationTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly RotationPolicy Policy = new(2.0 / 3, TimeSpan.FromMinutes(5), TimeSpan.FromHours(1));

    private static RotationFacts Facts(RotationPhase phase, TimeSpan at, DateTimeOffset? oldLiveUntil = null, TimeSpan? since = null) =>
        new(phase, Start + (since ?? TimeSpan.Zero), Start + at, Start, Start + TimeSpan.FromDays(30), oldLiveUntil ?? DateTimeOffset.MinValue);

    [Theory]
    [InlineData(19.9, RotationStep.Stay)]
    [InlineData(20.0, RotationStep.PublishNext)]
    public void Decide_Steady_PublishesTheNextRootAtTwoThirdsOfTheLife(double days, RotationStep expected) =>
        Assert.Equal(expected, RootRotation.Decide(Facts(RotationPhase.Steady, TimeSpan.FromDays(days)), Policy));

    [Fact]
    public void Decide_SteadyWithRotationOff_NeverRotates() =>
        Assert.Equal(RotationStep.Stay, RootRotation.Decide(Facts(RotationPhase.Steady, TimeSpan.FromDays(29)), Policy with { RotateAt = 0 }));

    [Theory]
    [InlineData(4, RotationStep.Stay)]
    [InlineData(5, RotationStep.PromoteNext)]
    public void Decide_Published_NewRootSignsAfterTheOverlap(int minutes, RotationStep expected) =>
        Assert.Equal(expected, RootRotation.Decide(Facts(RotationPhase.Published, TimeSpan.FromDays(20) + TimeSpan.FromMinutes(minutes), since: TimeSpan.FromDays(20)), Policy));

    [Fact]
    public void Decide_PublishedAndTheOldRootHasLessThanOneCertificateLeft_NewRootSignsAtOnce() =>
        Assert.Equal(RotationStep.PromoteNext, RootRotation.Decide(
            Facts(RotationPhase.Published, TimeSpan.FromDays(30) - TimeSpan.FromMinutes(59), since: TimeSpan.FromDays(30) - TimeSpan.FromMinutes(60)),
            Policy with { Overlap = TimeSpan.FromDays(1) }));

    [Fact]
    public void Decide_Issuing_OldRootLeavesOnlyAfterItsLastCertificateExpired()
    {
        var lastExpiry = Start + TimeSpan.FromDays(20.1);

        Assert.Equal(RotationStep.Stay, RootRotation.Decide(Facts(RotationPhase.Issuing, TimeSpan.FromDays(20.09), lastExpiry), Policy));
        Assert.Equal(RotationStep.DropOld, RootRotation.Decide(Facts(RotationPhase.Issuing, TimeSpan.FromDays(20.1), lastExpiry), Policy));
    }

    [Fact]
    public void Misfit_RootTooShortForOverlapAndCertificate_SaysWhatToLengthen()
    {
        Assert.Null(RootRotation.Misfit(TimeSpan.FromSeconds(120), Policy with { Overlap = TimeSpan.FromSeconds(10), CertTtl = TimeSpan.FromSeconds(20) }));

        var problem = RootRotation.Misfit(TimeSpan.FromSeconds(60), Policy with { Overlap = TimeSpan.FromSeconds(10), CertTtl = TimeSpan.FromSeconds(20) });

        Assert.Contains("--root-lifetime", problem);
    }
}
