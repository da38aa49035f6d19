using System.Diagnostics;
using Mesh.Tests.Common;
using static Mesh.Tests.Integration.Waypoint.WaypointL7Tests;

namespace Mesh.Tests.Integration.Waypoint;

/// <summary>
/// Circuit breaking on the waypoint lab (<see cref="WaypointL7Tests"/>): the echo service routed to itself (both pods)
/// with retries on 503, and its Service annotated with the default 7 failures in a row and a 3 s first penalty without
/// jitter (<see cref="WaypointLabYaml.FastCircuitBreaker"/>). echo-v2 is made to fail every request at runtime (and
/// echo-v1 to answer 50 ms late, so the balancer prefers the fast-failing echo-v2); the
/// load is counted by the echo pods themselves (<c>/_echo/stats</c> on their loopback), not by the proxy.
/// </summary>
public sealed class WaypointCircuitBreakerTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const string Backend = "destination_service=\"echo.app.svc.cluster.local\"";

    [RootFact]
    public async Task Curl_EndpointFailingEverything_EjectedAfterSevenThenBackAfterThePenalty()
    {
        await using var lab = await StartAsync(WaypointLabYaml.BothPodsRetryRules, echoAnnotations: WaypointLabYaml.FastCircuitBreaker);
        var url = $"http://{Vip(lab, "echo")}/cb";
        var warm = await CurlManyAsync(lab, url, 20);
        Assert.True(warm.Count == 20, $"got {warm.Count} answers\n{Logs(lab)}");
        var v2Ip = lab.Pod("echo-v2").Ip;
        var (v2Served0, v2Failed0) = await EchoStatsAsync(lab, "echo-v2");

        // echo-v1 answers 50 ms late and echo-v2 fails at once: a fast failure looks like a fast endpoint to a latency
        // balancer, so echo-v2 draws the traffic, which is what circuit breaking is for.
        await EchoConfigAsync(lab, "echo-v1", "latency_ms=50");
        await EchoConfigAsync(lab, "echo-v2", "fail_rate=1");
        const int n = 100;
        var failing = await CurlManyAsync(lab, url, n);
        var (v2Served, v2Failed) = await EchoStatsAsync(lab, "echo-v2");
        var served = v2Served - v2Served0;
        var metrics = await ScrapeAsync(lab);
        var ejections = Sum(metrics, "mesh_waypoint_endpoint_ejections_total", Backend);
        var firstEjections = Sum(metrics, "mesh_waypoint_endpoint_ejections_total", Backend, "reason=\"consecutive_failures\"");

        Assert.True(failing.Count == n, $"got {failing.Count} answers\n{Logs(lab)}");
        var ok = failing.Count(c => c.StartsWith("200 ", StringComparison.Ordinal));
        output.WriteLine($"echo-v2 failing: client {ok}/{n} ok; echo-v2 served {served} (all 503: {v2Failed - v2Failed0}); ejections {ejections}");
        // Every failure was retried on echo-v1, so the client saw none (at least 99% asked).
        Assert.True(ok >= n * 99 / 100, $"{ok}/{n} succeeded: {string.Join(", ", failing.GroupBy(c => c).Select(g => $"{g.Key} x{g.Count()}"))}");
        Assert.Equal(served, v2Failed - v2Failed0);
        // Ejected at its 7th failure in a row; after that it got only probes (one per penalty, 3 s then 6 s...), each
        // of which failed and ejected it again. Requests are sequential, so the count is exact.
        Assert.Equal(1, firstEjections);
        Assert.True(ejections >= 1, $"no ejection\n{Logs(lab)}");
        Assert.Equal(7 + (ejections - 1), served);
        Assert.Contains($"circuit breaker: endpoint {v2Ip}:8080 of echo.app.svc.cluster.local ejected for 3.0 s (consecutive_failures", lab.Log("waypoint"),
            StringComparison.Ordinal);

        // It recovers: at most one penalty later (the last one: 3 s doubled per re-ejection) its probe succeeds.
        await EchoConfigAsync(lab, "echo-v2", "fail_rate=0");
        var penalty = TimeSpan.FromSeconds(3 * Math.Pow(2, ejections - 1));
        var clock = Stopwatch.StartNew();
        var recovering = new List<string>();
        var returned = $"circuit breaker: endpoint {v2Ip}:8080 of echo.app.svc.cluster.local returned";
        while (!lab.Log("waypoint").Contains(returned, StringComparison.Ordinal) && clock.Elapsed < penalty + TimeSpan.FromSeconds(10))
        {
            recovering.AddRange(await CurlManyAsync(lab, url, 10));
        }
        var back = clock.Elapsed;
        var v2Before = (await EchoStatsAsync(lab, "echo-v2")).Served;
        var after = await CurlManyAsync(lab, url, 40);
        var v2After = (await EchoStatsAsync(lab, "echo-v2")).Served - v2Before;

        output.WriteLine($"echo-v2 healthy again: returned after {back.TotalSeconds:F1} s (penalty {penalty.TotalSeconds} s); then served {v2After}/40");
        Assert.True(lab.Log("waypoint").Contains(returned, StringComparison.Ordinal), $"echo-v2 never returned within {penalty + TimeSpan.FromSeconds(10)}\n{Logs(lab)}");
        Assert.All(recovering.Concat(after), c => Assert.StartsWith("200 ", c, StringComparison.Ordinal));
        // Balanced over again: echo-v2, now healthy and the faster one, serves again.
        Assert.True(v2After > 0, $"echo-v2 served nothing after it returned\n{Logs(lab)}");
    }
}
