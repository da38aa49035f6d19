using System.Text.Json;
using Mesh.Lab.Launch;
using Mesh.Tests.Common;
using Mesh.Tests.Common.Lab;
using static Mesh.Tests.Integration.Waypoint.WaypointL7Tests;

namespace Mesh.Tests.Integration.Waypoint;

/// <summary>
/// HTTPRoute filters on the waypoint lab (<see cref="WaypointL7Tests"/>), all in one lab
/// (<see cref="WaypointLabYaml.FilterRules"/>): what each filter changes is read where it lands, the request the echo
/// pod received (its JSON answer: path, query, headers) and the answer curl got (status, Location, headers), and the
/// mirror's load is counted by echo-v2 itself. A second route with an unknown filter type is refused by the control
/// plane (Accepted=False) while the first keeps working.
/// </summary>
public sealed class WaypointFilterTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [RootFact]
    public async Task Curl_RouteWithEveryFilter_EachChangesExactlyWhatItSays()
    {
        await using var lab = await StartAsync(WaypointLabYaml.FilterRules);
        var vip = Vip(lab, "echo");

        // RequestHeaderModifier: set replaces the client's value, add appends to it, remove drops it; others untouched.
        var headers = await lab.CurlAsync("client", $"http://{vip}/headers/x", "-D", "/dev/stderr",
            "-H", "x-set: from-client", "-H", "x-add: from-client", "-H", "x-drop: from-client", "-H", "x-keep: from-client");
        Assert.True(headers.Ok, $"{headers.Stderr}\n{Logs(lab)}");
        var seen = RequestHeaders(headers.Stdout);
        Assert.Equal("set-by-route", seen["x-set"]);
        Assert.Equal("from-client, added-by-route", seen["x-add"]);
        Assert.False(seen.ContainsKey("x-drop"), headers.Stdout);
        Assert.Equal("from-client", seen["x-keep"]);
        // ResponseHeaderModifier: added, and the echo's own x-echo-pod removed.
        Assert.Contains("x-route: filters", headers.Stderr, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("x-echo-pod", headers.Stderr, StringComparison.OrdinalIgnoreCase);

        // RequestRedirect: 301 with the new scheme, host and prefix, the query kept; no backend asked.
        var before = (await EchoStatsAsync(lab, "echo-v1")).Served;
        var redirect = await lab.CurlAsync("client", $"http://{vip}/old/page?q=1", "-o", "/dev/null", "-w", "%{http_code} %{redirect_url}");
        Assert.Equal("301 https://new.example/new/page?q=1", redirect.Stdout);

        // URLRewrite: the backend sees /v2/... with the query.
        var rewrite = await lab.CurlAsync("client", $"http://{vip}/v1/items?page=2");
        using (var json = JsonDocument.Parse(rewrite.Stdout))
        {
            Assert.Equal("/v2/items", json.RootElement.GetProperty("path").GetString());
            Assert.Equal("?page=2", json.RootElement.GetProperty("query").GetString());
        }

        // A backendRef's own filter applies to the requests sent to it.
        Assert.Equal("echo-v1", RequestHeaders((await lab.CurlAsync("client", $"http://{vip}/backend")).Stdout)["x-backend-filter"]);
        Assert.Equal(before + 2, (await EchoStatsAsync(lab, "echo-v1")).Served);

        // RequestMirror: the client gets echo-v1's answers; echo-v2 gets a copy of each.
        const int n = 20;
        var mirrorBefore = (await EchoStatsAsync(lab, "echo-v2")).Served;
        var codes = await CurlManyAsync(lab, $"http://{vip}/mirror/order", n);
        Assert.Equal(Enumerable.Repeat("200 echo-v1", n), codes);
        await LabFixture.WaitUntilAsync(async () => (await EchoStatsAsync(lab, "echo-v2")).Served >= mirrorBefore + n, TimeSpan.FromSeconds(20),
            $"echo-v2 did not receive {n} mirrored copies\n{lab.Log("echo-v2")}\n{Logs(lab)}");
        Assert.Equal(mirrorBefore + n, (await EchoStatsAsync(lab, "echo-v2")).Served);
        Assert.Equal(before + 2 + n, (await EchoStatsAsync(lab, "echo-v1")).Served);
        output.WriteLine($"mirror: client {n}x 200 from echo-v1, echo-v2 received {n} copies");

        // The broken route is reported the way Gateway API reports it, and is not used (its path takes no rule).
        var broken = await lab.CurlAsync("client", $"http://{vip}/broken", "-o", "/dev/null", "-w", "%{http_code}");
        Assert.Equal("404", broken.Stdout);
        var cp = lab.ProcessLog(LabMesh.ControlPlaneLog);
        Assert.Contains("HTTPRoute app/broken: spec.rules[0].filters[0].type: Accepted=False (UnsupportedValue): filter type 'Teleport' is not supported here", cp,
            StringComparison.Ordinal);
    }

    private static Dictionary<string, string> RequestHeaders(string echoBody)
    {
        using var json = JsonDocument.Parse(echoBody);
        return json.RootElement.GetProperty("requestHeaders").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? "");
    }
}
