using System.Diagnostics;
using System.Text.Json;
using Mesh.Tests.Common;
using Mesh.Tests.Common.Lab;
using static Mesh.Tests.Integration.Waypoint.WaypointL7Tests;

namespace Mesh.Tests.Integration.Waypoint;

/// <summary>
/// The retry budget on the waypoint lab (<see cref="WaypointL7Tests"/>), with the default budget (20% of original
/// requests plus 10 retries/s over 10 s, per backend service) and a route retrying 503 up to 5 times. The load is
/// counted at the backend: the echo pod's own request counter (<c>/_echo/stats</c>, read inside its namespace on
/// loopback, so the mesh neither carries nor counts the read).
/// </summary>
public sealed class WaypointRetryBudgetTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const int Originals = 200;

    /// <summary>The default budget's reserve: 10 retries/s over the 10 s window.</summary>
    private const int Reserve = 10 * 10;

    [RootFact]
    public async Task Curl_BackendFailingThirtyPercent_RetriesWithinBudgetKeepClientAtNinetyNinePercent()
    {
        await using var lab = await StartAsync(WaypointLabYaml.BudgetRules);

        var codes = await CurlManyAsync(lab, $"http://{Vip(lab, "echo")}/flaky?fail_rate=0.3", Originals);
        var (served, failed) = await BackendStatsAsync(lab, "echo-v1");

        Assert.True(codes.Count == Originals, $"got {codes.Count} answers\n{Logs(lab)}");
        var ok = codes.Count(c => c.StartsWith("200 ", StringComparison.Ordinal));
        // A request fails only if 6 attempts in a row do (0.3^6 = 0.07%): at least 198 of 200 is the 99% asked for.
        Assert.True(ok >= Originals * 99 / 100, $"{ok}/{Originals} succeeded: {string.Join(", ", codes.GroupBy(c => c).Select(g => $"{g.Key} x{g.Count()}"))}");
        // At the backend: every original once, plus the retries, each of which followed a 503 it gave.
        var retries = served - Originals;
        output.WriteLine($"client: {ok}/{Originals} succeeded; backend: served {served}, 503 {failed}, retries {retries} (budget {Originals / 5 + Reserve})");
        Assert.Equal(failed - (Originals - ok), retries);
        // About 0.43 retries per original are needed (0.3 + 0.09 + ...): more than the 20% ratio alone, within the
        // ratio plus the reserve at this request count.
        Assert.InRange(retries, 30, Originals / 5 + Reserve);
    }

    [RootFact]
    public async Task Curl_BackendFailingEverything_ExtraLoadAtBackendStaysWithinBudget()
    {
        await using var lab = await StartAsync(WaypointLabYaml.BudgetRules);
        var clock = Stopwatch.StartNew();

        var codes = await CurlManyAsync(lab, $"http://{Vip(lab, "echo")}/down?fail_rate=1", Originals);
        var elapsed = clock.Elapsed;
        var (served, failed) = await BackendStatsAsync(lab, "echo-v1");

        Assert.True(codes.Count == Originals, $"got {codes.Count} answers\n{Logs(lab)}");
        // The original failure is what the client gets, for every request.
        Assert.All(codes, c => Assert.StartsWith("503 ", c, StringComparison.Ordinal));
        Assert.Equal(served, failed);
        var retries = served - Originals;
        // Without a budget: 5 retries per original, 1000. With it: within any window (10 slots of 1 s, so a retry
        // is forgotten after at least 9 s) at most 20% of that window's originals plus the 100 of the reserve; over
        // the run that is 20% of all originals plus one reserve per started 9 s. No further tolerance: both counts
        // are exact (the backend counts what it served; the budget takes a lock per withdrawal).
        var windows = (int)Math.Ceiling(elapsed.TotalSeconds / 9);
        output.WriteLine($"backend: served {served}, retries {retries} in {elapsed.TotalSeconds:F1} s (budget {Originals / 5 + Reserve * windows}, without it {5 * Originals})");
        Assert.InRange(retries, Reserve, Originals / 5 + Reserve * windows);
        var metrics = await ScrapeAsync(lab);
        var skipped = Sum(metrics, "mesh_waypoint_upstream_retries_skipped_total", "destination_service=\"echo-v1.app.svc.cluster.local\"",
            "reason=\"budget_exhausted\"");
        Assert.True(skipped > Originals / 2, $"{skipped} requests found the budget exhausted");
        Assert.Equal(skipped, Sum(metrics, "istio_requests_total", "response_code=\"503\"", "response_flags=\"URX\""));
    }

    /// <summary>The echo pod's own counters: requests served, and how many of them it answered 503 by fail_rate.</summary>
    internal static async Task<(int Served, int Failed)> BackendStatsAsync(LabFixture lab, string pod)
    {
        var r = await lab.ExecAsync(pod, "curl", "-sf", "-m", "5", "http://127.0.0.1:8080/_echo/stats");
        Assert.True(r.Ok, $"{r.Stderr}\n{lab.Log(pod)}");
        using var json = JsonDocument.Parse(r.Stdout);
        return (json.RootElement.GetProperty("requests").GetInt32(), json.RootElement.GetProperty("failed").GetInt32());
    }
}
