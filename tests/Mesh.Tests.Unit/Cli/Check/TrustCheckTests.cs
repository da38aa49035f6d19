using System.Text.Json;
using Mesh.Cli.Check;

namespace Mesh.Tests.Unit.Cli.Check;

/// <summary>What `meshctl check --control-plane` prints for the CA section of the control plane's /debug/status.</summary>
public sealed class TrustCheckTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    private static JsonElement Status(string phase, bool automatic, params (string Role, DateTimeOffset NotBefore, DateTimeOffset NotAfter)[] anchors) =>
        Status(phase, automatic ? Now.AddYears(5) : null, anchors);

    /// <summary>An automatic rotation due at <paramref name="nextRotation"/> (none when null).</summary>
    private static JsonElement Status(string phase, DateTimeOffset? nextRotation, params (string Role, DateTimeOffset NotBefore, DateTimeOffset NotAfter)[] anchors)
    {
        var automatic = nextRotation is not null;
        var list = string.Join(",", anchors.Select((a, i) => JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["role"] = a.Role, ["subject"] = $"CN=Mesh Root CA {i}, O=cluster.local", ["sha256"] = new string((char)('a' + i), 64),
            ["notBefore"] = a.NotBefore.ToString("o"), ["notAfter"] = a.NotAfter.ToString("o"),
        })));
        var since = Now.AddDays(-1).ToString("o");
        var next = nextRotation is { } at ? $"\"{at:o}\"" : "null";
        var auto = automatic ? "true" : "false";
        return JsonDocument.Parse("{\"ready\":true,\"ca\":{\"rotationPhase\":\"" + phase + "\",\"phaseSince\":\"" + since + "\",\"automaticRotation\":" + auto +
            ",\"nextRotationAt\":" + next + ",\"oldRootLiveUntil\":null,\"lastError\":null,\"anchors\":[" + list + "]}}").RootElement;
    }

    [Fact]
    public void Assess_HealthyMesh_EveryLineOkWithAnchorExpiryAndPhase()
    {
        var (lines, ok) = TrustCheck.Assess(Status("steady", true, ("signing", Now.AddYears(-1), Now.AddYears(9))), Now);

        Assert.True(ok);
        Assert.All(lines, l => Assert.StartsWith("ok    ", l));
        Assert.Contains(lines, l => l.Contains("anchor signing CN=Mesh Root CA 0", StringComparison.Ordinal) && l.Contains("expires 2035-12-01", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("ok    rotation: phase steady since 2026-11-30", StringComparison.Ordinal) && l.Contains("next rotation 2031-12-01", StringComparison.Ordinal));
    }

    [Fact]
    public void Assess_AnchorNearExpiryAndNoRotation_WarnsWithWhatToRun()
    {
        var (lines, ok) = TrustCheck.Assess(Status("steady", false, ("signing", Now.AddYears(-10), Now.AddDays(20))), Now);

        Assert.True(ok);
        var warn = Assert.Single(lines, l => l.StartsWith("WARN  ", StringComparison.Ordinal));
        Assert.Contains("in 20 days", warn);
        Assert.Contains("`controlplane rotate-root`", warn);
    }

    [Fact]
    public void Assess_RotationUnderWay_OldAnchorNearExpiryIsNotAWarning()
    {
        var (lines, ok) = TrustCheck.Assess(Status("issuing", true, ("previous", Now.AddYears(-10), Now.AddDays(20)), ("signing", Now.AddDays(-1), Now.AddYears(10))), Now);

        Assert.True(ok);
        Assert.DoesNotContain(lines, l => l.StartsWith("WARN", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("ok    rotation: phase issuing", StringComparison.Ordinal));
    }

    [Fact]
    public void Assess_AnchorExpired_Fails()
    {
        var (lines, ok) = TrustCheck.Assess(Status("steady", true, ("signing", Now.AddYears(-10), Now.AddMinutes(-1))), Now);

        Assert.False(ok);
        Assert.Contains(lines, l => l.StartsWith("FAIL  trust: anchor signing", StringComparison.Ordinal) && l.Contains("has expired", StringComparison.Ordinal));
    }

    [Fact]
    public void Assess_ShortRootAutomaticRotationAhead_NoWarning()
    {
        var (lines, ok) = TrustCheck.Assess(Status("steady", Now.AddSeconds(40), ("signing", Now.AddSeconds(-20), Now.AddSeconds(70))), Now);

        Assert.True(ok);
        Assert.All(lines, l => Assert.StartsWith("ok    ", l));
        Assert.Contains(lines, l => l.Contains("in 70 seconds", StringComparison.Ordinal));
    }

    [Fact]
    public void Assess_AutomaticRotationPastDueNotBegun_WarnsToReadTheLog()
    {
        var (lines, ok) = TrustCheck.Assess(Status("steady", Now.AddMinutes(-5), ("signing", Now.AddMinutes(-40), Now.AddMinutes(20))), Now);

        Assert.True(ok);
        var warn = Assert.Single(lines, l => l.StartsWith("WARN  ", StringComparison.Ordinal));
        Assert.Contains("the automatic rotation should have begun", warn);
    }
}
