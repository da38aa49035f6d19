using Mesh.Core.Metrics;
using Mesh.Tests.Common.E2E;

namespace Mesh.Tests.E2E;

/// <summary>
/// L4 on the kind cluster: the mesh client's requests to the echo Service are tunnelled (the destination ztunnels
/// count them as mutual_tls), and the non-mesh client is answered while the namespace is PERMISSIVE and refused once
/// kind-test.sh labels it STRICT (mesh.dev/mtls-mode=strict). kind-test.sh runs each Step in its order.
/// </summary>
public sealed class MeshTrafficTests
{
    private const int Requests = 20;
    private readonly KindCluster _cluster = new();

    [E2EFact]
    [Trait("Step", "mtls")]
    public async Task MeshClient_RequestsToEcho_DestinationZtunnelsCountThemAsMutualTls()
    {
        var match = new Dictionary<string, string>
        {
            ["reporter"] = "destination",
            ["destination_workload_namespace"] = _cluster.Namespace,
            ["destination_app"] = "echo",
            ["source_principal"] = $"spiffe://cluster.local/ns/{_cluster.Namespace}/sa/client",
            ["connection_security_policy"] = "mutual_tls",
        };
        var before = PrometheusSample.Sum(await _cluster.ZtunnelMetricsAsync(), "istio_tcp_connections_opened_total", match);

        var curl = await _cluster.CurlAsync(_cluster.Namespace, "client", _cluster.EchoUrl(), Requests, newConnections: true);

        var (pods, other) = EchoReplies.Parse(curl.Replies);
        Assert.True(pods.Count == Requests && other.Count == 0, $"{pods.Count} of {Requests} echo replies; other output: {string.Join(" | ", other)}; curl: {curl.Stderr}");
        var after = PrometheusSample.Sum(await _cluster.ZtunnelMetricsAsync(), "istio_tcp_connections_opened_total", match);
        Assert.True(after - before >= Requests,
            $"the destination ztunnels counted {after - before} mutual_tls connections from the client's identity for {Requests} new connections");
    }

    [E2EFact]
    [Trait("Step", "mtls")]
    public async Task NonMeshClient_NamespacePermissive_IsAnswered()
    {
        var curl = await _cluster.CurlAsync(_cluster.PlainNamespace, "plain-client", _cluster.EchoUrl(), 1);

        var (pods, _) = EchoReplies.Parse(curl.Replies);
        Assert.True(pods.Count == 1, $"the non-mesh client got no answer while PERMISSIVE (exit {curl.ExitCode}): {curl.Replies} {curl.Stderr}");
    }

    [E2EFact]
    [Trait("Step", "strict")]
    public async Task NonMeshClient_NamespaceStrict_IsRefusedWhileTheMeshClientIsAnswered()
    {
        // The label reaches the echo pods' ztunnels through discovery: wait for the first refusal, then every try must be one.
        (int ExitCode, string Replies, string Stderr) last = default;
        await KindCluster.WaitUntilAsync(async () =>
        {
            last = await _cluster.CurlAsync(_cluster.PlainNamespace, "plain-client", _cluster.EchoUrl(), 1);
            return EchoReplies.Parse(last.Replies).Pods.Count == 0;
        }, TimeSpan.FromSeconds(60), () => $"the non-mesh client is still answered a minute after STRICT: {last.Replies}");

        for (var i = 0; i < 5; i++)
        {
            var plain = await _cluster.CurlAsync(_cluster.PlainNamespace, "plain-client", _cluster.EchoUrl(), 1);
            Assert.True(plain.ExitCode != 0 && EchoReplies.Parse(plain.Replies).Pods.Count == 0, $"try {i}: the non-mesh client was answered under STRICT: {plain.Replies}");
        }
        var mesh = await _cluster.CurlAsync(_cluster.Namespace, "client", _cluster.EchoUrl(), 5, newConnections: true);
        Assert.True(EchoReplies.Parse(mesh.Replies).Pods.Count == 5, $"the mesh client was refused under STRICT: {mesh.Replies} {mesh.Stderr}");
    }
}
