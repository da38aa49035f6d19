using System.Diagnostics;
using System.Text.Json.Nodes;
using Mesh.Tests.Common;
using Mesh.Tests.Common.Lab;
using Mesh.Tests.Integration.Waypoint;

namespace Mesh.Tests.Integration.Stat;

/// <summary>
/// <c>meshctl stat</c> (the real binary) on a lab with a waypoint: it scrapes the lab's ztunnels and waypoint, the
/// test sends a known mix of answers through the mesh in between, and the numbers it prints match what was sent.
/// </summary>
public sealed class MeshctlStatTests
{
    private const string OneBackend = """
          - backendRefs: [{name: echo-v1, port: 80}]
        """;

    private static readonly string Meshctl = Path.Combine(AppContext.BaseDirectory, "meshctl");

    [RootFact]
    public async Task Stat_TrafficWithTenPercentFailures_ShowsNinetyPercentAndTheRate()
    {
        await using var lab = await WaypointL7Tests.StartAsync(OneBackend);
        var vip = WaypointL7Tests.Vip(lab, "echo");
        using var stat = Start("stat", "-n", "app", "--lab", lab.Name, "--interval", "12s", "-o", "json");
        using var routes = Start("stat", "route", "-n", "app", "--lab", lab.Name, "--interval", "12s", "-o", "json");
        var stdout = stat.StandardOutput.ReadToEndAsync();
        var routesStdout = routes.StandardOutput.ReadToEndAsync();
        // The first scrape of each is done when meshctl says so; the traffic goes between its two scrapes.
        foreach (var first in new[] { await FirstScrapeAsync(stat), await FirstScrapeAsync(routes) })
        {
            Assert.True(first.Count > 0 && first[^1].StartsWith("meshctl: scraped 3 endpoint(s)", StringComparison.Ordinal), string.Join("\n", first));
        }

        var ok = await WaypointL7Tests.CurlManyAsync(lab, $"http://{vip}/ok", 180);
        var failed = await WaypointL7Tests.CurlManyAsync(lab, $"http://{vip}/fail?status=503", 20);
        await stat.WaitForExitAsync();

        Assert.True(ok.Count(c => c.StartsWith("200 ", StringComparison.Ordinal)) == 180 && failed.Count(c => c.StartsWith("503 ", StringComparison.Ordinal)) == 20,
            $"the traffic itself: {string.Join(",", ok.Concat(failed).Distinct())}\n{WaypointL7Tests.Logs(lab)}");
        var output = await stdout;
        Assert.True(stat.ExitCode == 0, $"meshctl stat exited {stat.ExitCode}: {output}{await stat.StandardError.ReadToEndAsync()}");
        var json = JsonNode.Parse(output)!;
        var interval = (double)json["intervalSeconds"]!;
        var rows = json["rows"]!.AsArray();
        var echo = rows.Single(r => (string?)r!["name"] == "echo-v1")!;
        Assert.Equal("app", (string?)echo["namespace"]);
        Assert.Equal(200, (double)echo["requests"]!);
        Assert.Equal(0.9, (double)echo["successRate"]!, 9);
        Assert.Equal(200 / interval, (double)echo["requestsPerSecond"]!, 6);
        Assert.InRange(interval, 12, 60);
        Assert.True((double)echo["p50Ms"]! > 0 && (double)echo["p99Ms"]! >= (double)echo["p50Ms"]!, echo.ToJsonString());
        // The waypoint's connections into echo-v1, counted by echo-v1's ztunnel.
        Assert.True((double?)echo["tcpConnectionsOpened"] >= 1, echo.ToJsonString());

        // Per route: the waypoint labels each request with the HTTPRoute that matched (route_name).
        await routes.WaitForExitAsync();
        var routeOutput = await routesStdout;
        Assert.True(routes.ExitCode == 0, $"meshctl stat route exited {routes.ExitCode}: {routeOutput}{await routes.StandardError.ReadToEndAsync()}");
        var route = JsonNode.Parse(routeOutput)!["rows"]!.AsArray().Single(r => (string?)r!["name"] == "echo")!;
        Assert.Equal("echo-v1", (string?)route["service"]);
        Assert.Equal(200, (double)route["requests"]!);
        Assert.Equal(0.9, (double)route["successRate"]!, 9);

        var table = await RunAsync("stat", "-n", "app", "--lab", lab.Name, "--interval", "200ms");
        Assert.True(table.Code == 0, table.Stderr);
        Assert.Contains(table.Stdout.Split('\n'), l => l.Contains("app", StringComparison.Ordinal) && l.Contains("echo-v1", StringComparison.Ordinal));
        var top = await RunAsync("top", "-n", "app", "--lab", lab.Name, "--interval", "200ms");
        Assert.True(top.Code == 0, top.Stderr);
        Assert.Contains("WORKLOAD", top.Stdout, StringComparison.Ordinal);

        var unknown = await RunAsync("stat", "-n", "nosuch", "--lab", lab.Name);
        Assert.Equal(2, unknown.Code);
        Assert.Equal("meshctl: namespace 'nosuch' is not in lab '" + lab.Name + "' (it has app)", unknown.Stderr.Trim());
    }

    [RootFact]
    public async Task Stat_UnreachablePrometheusOrBadInput_OneLineAndExitCode()
    {
        var unreachable = await RunAsync("stat", "--prometheus", "http://127.0.0.1:9");
        var notUrl = await RunAsync("stat", "--prometheus", "localhost 9090");
        var interval = await RunAsync("stat", "--interval", "soon", "--prometheus", "http://127.0.0.1:9");
        var noLab = await RunAsync("stat", "--lab", "zz" + Guid.NewGuid().ToString("N")[..6]);

        Assert.Equal(1, unreachable.Code);
        Assert.Single(unreachable.Stderr.Trim().Split('\n'));
        Assert.StartsWith("meshctl: cannot query Prometheus at http://127.0.0.1:9/", unreachable.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, notUrl.Code);
        Assert.Contains("is not an http(s) URL", notUrl.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, interval.Code);
        Assert.Contains("write it like 5s", interval.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, noLab.Code);
        Assert.Contains("is running; see meshctl lab status", noLab.Stderr, StringComparison.Ordinal);
    }

    /// <summary>meshctl's stderr up to its "scraped" line (its first scrape is done).</summary>
    private static async Task<List<string>> FirstScrapeAsync(Process stat)
    {
        var lines = new List<string>();
        while (await stat.StandardError.ReadLineAsync() is { } line)
        {
            lines.Add(line);
            if (line.StartsWith("meshctl: scraped", StringComparison.Ordinal))
            {
                break;
            }
        }
        return lines;
    }

    private static Process Start(params string[] args)
    {
        var psi = new ProcessStartInfo(Meshctl) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        return Process.Start(psi)!;
    }

    private static async Task<(int Code, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        using var p = Start(args);
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await p.WaitForExitAsync(deadline.Token);
        return (p.ExitCode, await stdout, await stderr);
    }
}
