using Mesh.Tests.Common;
using Mesh.Tests.Common.Lab;
using static Mesh.Tests.Integration.Waypoint.WaypointL7Tests;

namespace Mesh.Tests.Integration.Waypoint;

/// <summary>
/// gRPC through a GRPCRoute on the waypoint lab (<see cref="WaypointLabYaml.GrpcRoute"/>): curl speaks gRPC over h2c
/// (prior knowledge, a length-prefixed message, <c>te: trailers</c>) from the client pod to the grpc-echo service, whose
/// route retries UNAVAILABLE (<c>retry.mesh.dev/grpc</c>) up to 5 times under the default budget. The echo pod answers
/// UNAVAILABLE in the trailers (after the response headers) at the rate the call asks for, and counts what it served.
/// curl reads <c>grpc-status</c>/<c>grpc-message</c> where gRPC puts them (trailers, or headers of a trailers-only answer).
/// </summary>
public sealed class WaypointGrpcRouteTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const int Calls = 200;
    private const int Callers = 4;

    [RootFact]
    public async Task Curl_GrpcRouteRetryingUnavailable_BackendFailingThirtyPercent_NinetyNinePercentOkTrailersKept()
    {
        await using var lab = await StartAsync(WaypointLabYaml.SplitRules + WaypointLabYaml.GrpcRoute);
        var message = Path.Combine(lab.State.StateDir, "grpc-request.bin");
        // One gRPC message: not compressed, 3 bytes.
        await File.WriteAllBytesAsync(message, [0, 0, 0, 0, 3, (byte)'a', (byte)'b', (byte)'c']);
        var url = $"http://{Vip(lab, "grpc-echo")}/echo.Echo/Get";
        var (servedBefore, failedBefore) = await EchoStatsAsync(lab, "echo-v1");

        // One curl per call (curl 7.88 cannot reuse an h2c prior-knowledge connection across transfers), four callers at
        // once; each call prints the HTTP status and version and the call's grpc-status and grpc-message.
        var loop = $"for i in $(seq {Calls / Callers}); do curl -sS -m 20 --http2-prior-knowledge -o /dev/null -H 'content-type: application/grpc' "
            + $"-H 'te: trailers' -H 'x-echo-grpc-fail-rate: 0.3' --data-binary @{message} "
            + "-w '%{http_code} %{http_version} %header{grpc-status} %header{grpc-message}\\n' " + url + "; done";
        var script = string.Join(" & ", Enumerable.Repeat($"( {loop} )", Callers)) + " & wait";
        var run = await lab.ExecAsync("client", "sh", "-c", script);
        var lines = run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim()).ToList();
        var (served, failed) = await EchoStatsAsync(lab, "echo-v1");
        served -= servedBefore;
        failed -= failedBefore;

        Assert.True(lines.Count == Calls, $"got {lines.Count} answers: {run.Stderr}\n{Logs(lab)}");
        var ok = lines.Count(l => l == "200 2 0");
        var groups = string.Join(", ", lines.GroupBy(l => l).Select(g => $"'{g.Key}' x{g.Count()}"));
        // A call fails only if 6 attempts in a row do (0.3^6 = 0.07%): 198 of 200 is the 99% asked for.
        Assert.True(ok >= Calls * 99 / 100, $"{ok}/{Calls} OK: {groups}");
        // What is not OK is the backend's own answer, passed through unchanged after the retries ran out.
        Assert.All(lines.Where(l => l != "200 2 0"), l => Assert.Equal("200 2 14 echo: unavailable", l));
        var retries = served - Calls;
        output.WriteLine($"client: {ok}/{Calls} OK ({groups}); backend: served {served}, UNAVAILABLE {failed}, retries {retries}");
        // At the backend: every call once plus one retry per UNAVAILABLE it gave, except the last answer of a call that failed.
        Assert.Equal(failed - (Calls - ok), retries);
        // About 0.43 retries per call (0.3 + 0.09 + ...); within 20% of the calls plus the budget's 100 reserve.
        Assert.InRange(retries, 30, Calls / 5 + 100);
        var metrics = await ScrapeAsync(lab);
        Assert.Equal(retries, Sum(metrics, "mesh_waypoint_upstream_retries_total", "destination_service=\"echo-v1.app.svc.cluster.local\"", "reason=\"grpc_unavailable\""));
        // response_code is the HTTP status, as in Istio: a gRPC call that failed with UNAVAILABLE was still answered 200
        // (its failure is in the grpc-status trailer), so every call counts under 200, the failed ones too.
        Assert.Equal(lines.Count(l => l.StartsWith("200 ", StringComparison.Ordinal)),
            Sum(metrics, "istio_requests_total", "destination_service=\"echo-v1.app.svc.cluster.local\"", "request_protocol=\"grpc\"", "response_code=\"200\""));

        // The answer's message comes back byte for byte, with grpc-status 0 in the trailers.
        var echoed = await lab.ExecAsync("client", "sh", "-c",
            $"curl -sS -m 20 --http2-prior-knowledge -H 'content-type: application/grpc' -H 'te: trailers' --data-binary @{message} -D /dev/stderr {url} | od -An -c");
        Assert.Equal("\\0 \\0 \\0 \\0 003 a b c", string.Join(' ', echoed.Stdout.Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries)));
        Assert.Contains("grpc-status: 0", echoed.Stderr, StringComparison.Ordinal);

        // A code the route does not retry passes through at once, with its message (trailers-only answer).
        var before = (await EchoStatsAsync(lab, "echo-v1")).Served;
        var notFound = await lab.CurlAsync("client", url, "--http2-prior-knowledge", "-o", "/dev/null", "-H", "content-type: application/grpc",
            "-H", "x-echo-grpc-status: 5", "-H", "x-echo-grpc-message: no such item", "--data-binary", $"@{message}",
            "-w", "%{http_code} %header{grpc-status} %header{grpc-message}");
        Assert.Equal("200 5 no such item", notFound.Stdout);
        Assert.Equal(before + 1, (await EchoStatsAsync(lab, "echo-v1")).Served);
    }
}
