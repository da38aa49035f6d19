using System.Text.Json.Nodes;

namespace Mesh.Tests.Integration.DataPath;

/// <summary>What one flood did: the generator's summary, the normal client's status codes, ztunnel's PID and RSS before and after, refusals by reason.</summary>
public sealed record FloodOutcome(
    JsonObject Generator,
    IReadOnlyList<string> NormalCodes,
    int PidBefore,
    int PidAfter,
    long RssBeforeKb,
    long RssAfterKb,
    IReadOnlyDictionary<string, long> Refused,
    TimeSpan Duration)
{
    public long Count(string key) => Generator[key]?.GetValue<long>() ?? 0;

    public long RefusedTotal => Refused.Values.Sum();

    public override string ToString() =>
        $"{Generator.ToJsonString()} in {Duration.TotalSeconds:0.0} s; normal client {NormalCodes.Count(c => c == "200")}/{NormalCodes.Count} x 200 " +
        $"({string.Join(",", NormalCodes.Where(c => c != "200").Distinct())}); pid {PidBefore}->{PidAfter}; RSS {RssBeforeKb / 1024} -> {RssAfterKb / 1024} MB; " +
        $"refused {string.Join(", ", Refused.Where(kv => kv.Value != 0).Select(kv => $"{kv.Key}={kv.Value}"))}";

    /// <summary>The checks every flood shares: ztunnel alive with the same PID, RSS back within 2x, every normal request answered 200.</summary>
    public void AssertHeld(string logs)
    {
        Assert.True(PidBefore == PidAfter, $"ztunnel restarted or died: {this}\n{logs}");
        Assert.True(NormalCodes.Count > 0 && NormalCodes.All(c => c == "200"), $"the normal client did not keep getting 200s: {this}\n{logs}");
        Assert.True(RssAfterKb <= 2 * RssBeforeKb, $"ztunnel's RSS did not return within 2x its baseline: {this}");
    }
}
