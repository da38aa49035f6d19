using Mesh.Tests.Common.E2E;

namespace Mesh.Tests.E2E;

/// <summary>
/// L7 on the kind cluster: after `meshctl waypoint apply`, the HTTPRoute echo-split (kind-config/manifests/split-route.yaml)
/// and the Service echo labelled to use the waypoint, 500 requests from the mesh client split 90/10 between echo-v1
/// and echo-v2 within the binomial tolerance of <see cref="SplitJudge"/>.
/// </summary>
public sealed class WaypointSplitTests
{
    private const int Requests = 500;
    private const int ProbeRun = 20;
    private readonly KindCluster _cluster = new();

    [E2EFact]
    [Trait("Step", "split")]
    public async Task HttpRoute9010_500Requests_SplitWithinFourSigmaOfTheWeights()
    {
        // The route's probe rule sends x-e2e-probe: v2 to echo-v2 only. 20 in a row there means the waypoint carries the
        // route (without it ztunnel spreads over both pods: 0.5^20 by chance). A wait for the config, not for the result.
        string probe = "";
        await KindCluster.WaitUntilAsync(async () =>
        {
            var r = await _cluster.CurlAsync(_cluster.Namespace, "client", _cluster.EchoUrl(), ProbeRun, headers: ["x-e2e-probe: v2"]);
            var (pods, other) = EchoReplies.Parse(r.Replies);
            probe = $"{EchoReplies.OfDeployment(pods, "echo-v2")} of {ProbeRun} probes to echo-v2, other: {string.Join(" | ", other.Take(3))} {r.Stderr}";
            return EchoReplies.OfDeployment(pods, "echo-v2") == ProbeRun;
        }, TimeSpan.FromSeconds(120), () => "the waypoint did not take the HTTPRoute within 2 minutes: " + probe);

        var curl = await _cluster.CurlAsync(_cluster.Namespace, "client", _cluster.EchoUrl(), Requests);

        var (replies, failed) = EchoReplies.Parse(curl.Replies);
        Assert.True(replies.Count == Requests && failed.Count == 0, $"{replies.Count} of {Requests} requests answered; other: {string.Join(" | ", failed.Take(5))}; curl: {curl.Stderr}");
        var v1 = EchoReplies.OfDeployment(replies, "echo-v1");
        var v2 = EchoReplies.OfDeployment(replies, "echo-v2");
        Assert.Equal(Requests, v1 + v2);
        var verdict = SplitJudge.Judge(v1, Requests, 0.9);
        Console.WriteLine($"kind-test: split echo-v1/echo-v2 = {v1}/{v2}: {verdict.Description}");
        Assert.True(verdict.Within, verdict.Description);
    }
}
