using System.Text.Json;
using Mesh.Tests.Common;
using Mesh.Tests.Common.Lab;
using static Mesh.Tests.Integration.Waypoint.WaypointL7Tests;

namespace Mesh.Tests.Integration.Waypoint;

/// <summary>
/// The peak-EWMA balancer on the waypoint lab (<see cref="WaypointL7Tests"/>): the route sends the echo service to
/// itself (both pods), echo-v2 answers 50 ms later than echo-v1, and each pod counts what it served.
/// </summary>
public sealed class WaypointBalancerTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [RootFact]
    public async Task Curl_OneEndpointFiftyMsSlower_FastOneServesAtLeastEightyPercent()
    {
        await using var lab = await StartAsync(WaypointLabYaml.BothPodsRules, slowV2Ms: 50);
        const int n = 200;
        // Warm-up: the first attempt to each endpoint also opens its HBONE tunnel (a TLS handshake), a latency sample
        // that says nothing about the endpoint; the counted requests start once both tunnels are open.
        await CurlManyAsync(lab, $"http://{Vip(lab, "echo")}/warmup", 20);
        var (fast0, slow0) = (await ServedAsync(lab, "echo-v1"), await ServedAsync(lab, "echo-v2"));

        var codes = await CurlManyAsync(lab, $"http://{Vip(lab, "echo")}/balanced", n);
        var fast = await ServedAsync(lab, "echo-v1") - fast0;
        var slow = await ServedAsync(lab, "echo-v2") - slow0;

        Assert.True(codes.Count == n, $"got {codes.Count} answers\n{Logs(lab)}");
        Assert.All(codes, c => Assert.StartsWith("200 ", c, StringComparison.Ordinal));
        var throughWaypoint = Sum(await ScrapeAsync(lab), "istio_requests_total", "destination_service=\"echo.app.svc.cluster.local\"");
        output.WriteLine($"backends: echo-v1 (fast) served {fast}, echo-v2 (+50 ms) served {slow}; the waypoint forwarded {throughWaypoint}");
        Assert.Equal(n, fast + slow);
        // Every request went through the waypoint (a client ztunnel not yet knowing the waypoint would balance at L4).
        Assert.True(throughWaypoint == n + 20, $"the waypoint forwarded {throughWaypoint} of {n + 20}\n{Logs(lab)}");
        // Uniform would be 100 of 200 (binomial sd 7): 160 is 8.5 sd above it.
        Assert.True(fast >= n * 8 / 10, $"the fast endpoint served {fast}/{n}");
    }

    private static async Task<int> ServedAsync(LabFixture lab, string pod)
    {
        var r = await lab.ExecAsync(pod, "curl", "-sf", "-m", "5", "http://127.0.0.1:8080/_echo/stats");
        Assert.True(r.Ok, $"{r.Stderr}\n{lab.Log(pod)}");
        using var json = JsonDocument.Parse(r.Stdout);
        return json.RootElement.GetProperty("requests").GetInt32();
    }
}
