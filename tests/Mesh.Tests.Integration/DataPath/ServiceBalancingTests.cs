using System.Text.RegularExpressions;
using Mesh.Tests.Common;
using Mesh.Tests.Common.Lab;

namespace Mesh.Tests.Integration.DataPath;

/// <summary>
/// ztunnel's balancer on a 2-node lab (ztunnel/Outbound/EndpointPicker): spec.trafficDistribution PreferClose keeps
/// a node's connections on its own endpoint; least outstanding connections steers new connections away from an
/// endpoint that holds long ones; the count is released once however a connection ends. Requests are counted in the
/// backends' own logs.
/// </summary>
public sealed class ServiceBalancingTests
{
    private const string Yaml = LabYamlParts.AppNamespace + LabYamlParts.Next + LabYamlParts.OutsideNamespace + LabYamlParts.Next + LabYamlParts.ClientPod + LabYamlParts.Next + """
        apiVersion: v1
        kind: Pod
        metadata: {name: server-a, namespace: app, labels: {app: server, instance: a}}
        spec:
          nodeName: node1
          serviceAccountName: server
          containers: [{name: s, command: ["{{echo}}"], args: [--port, "8080"]}]
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: server-b, namespace: app, labels: {app: server, instance: b}}
        spec:
          nodeName: node2
          serviceAccountName: server
          containers: [{name: s, command: ["{{echo}}"], args: [--port, "8080"]}]
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: dead, namespace: app, labels: {app: dead}}
        spec:
          nodeName: node2
          containers: [{name: d, command: [sleep, infinity]}]
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: dead-plain, namespace: outside, labels: {app: dead}}
        spec:
          nodeName: node2
          containers: [{name: d, command: [sleep, infinity]}]
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: close, namespace: app}
        spec:
          selector: {app: server}
          trafficDistribution: PreferClose
          ports: [{port: 80, targetPort: 8080}]
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: spread, namespace: app}
        spec:
          selector: {app: server}
          ports: [{port: 80, targetPort: 8080}]
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: only-a, namespace: app}
        spec:
          selector: {instance: a}
          ports: [{port: 80, targetPort: 8080}]
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: dead, namespace: app}
        spec:
          selector: {app: dead}
          ports: [{port: 80, targetPort: 8080}]
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: dead-plain, namespace: outside}
        spec:
          selector: {app: dead}
          ports: [{port: 80, targetPort: 8080}]
        """;

    [RootFact]
    public async Task Connect_PreferCloseService_AllToLocalEndpointWithoutItBoth()
    {
        await using var lab = await StartAsync();

        var close = await RequestsAsync(lab, "close", "/close", 20);
        var spread = await RequestsAsync(lab, "spread", "/spread", 20);

        var detail = $"\n{lab.ZtunnelLogs()}";
        Assert.True(close == (20, 0), $"PreferClose: server-a {close.A}, server-b {close.B}{detail}");
        Assert.True(spread.A > 0 && spread.B > 0 && spread.A + spread.B == 20, $"default: server-a {spread.A}, server-b {spread.B}{detail}");
    }

    [RootFact]
    public async Task Connect_LongConnectionsHeldByOneEndpoint_NewOnesGoToTheOtherAndCountsReturnToZero()
    {
        await using var lab = await StartAsync();
        var onlyA = Vip(lab, "only-a");
        using var hold = new CancellationTokenSource();
        var holders = Enumerable.Range(0, 3).Select(_ => lab.Lab.ExecInPodAsync("client",
            ["curl", "-sS", "-o", "/dev/null", "-m", "60", $"http://{onlyA}/hold?latency_ms=60000"], ct: hold.Token)).ToList();
        try
        {
            await WaitForOutstandingAsync(lab, 3);

            var steered = await RequestsAsync(lab, "spread", "/steer", 10);

            Assert.True(steered == (0, 10), $"with 3 long connections at server-a: server-a {steered.A}, server-b {steered.B}\n{lab.ZtunnelLogs()}");
        }
        finally
        {
            // Ends the held requests: curl is killed, its connection closed.
            await hold.CancelAsync();
            foreach (var h in holders)
            {
                try
                {
                    await h;
                }
                catch (OperationCanceledException)
                {
                }
            }
        }
        await WaitForOutstandingAsync(lab, 0);

        // Failures release their count exactly once: an enrolled endpoint with nothing listening (HBONE answered 503)
        // and an uncaptured one refusing the plain dial.
        foreach (var (service, ns) in new[] { ("dead", "app"), ("dead-plain", "outside") })
        {
            var vip = Vip(lab, service, ns);
            var failed = await lab.ExecAsync("client", "sh", "-c",
                $"n=0; for i in 1 2 3 4 5 6 7 8 9 10; do curl -s -o /dev/null -m 5 http://{vip}/ || n=$((n+1)); done; echo $n");
            Assert.Equal("10", failed.Stdout.Trim());
            Assert.Equal(0, await OutstandingAsync(lab));
        }
        var after = await RequestsAsync(lab, "spread", "/after", 10);
        Assert.True(after.A > 0 && after.B > 0, $"after the failures: server-a {after.A}, server-b {after.B}\n{lab.ZtunnelLogs()}");
    }

    private static async Task<LabFixture> StartAsync()
    {
        var lab = await LabFixture.StartAsync(Yaml);
        try
        {
            await lab.StartMeshAsync();
            await lab.WaitForListenerAsync("server-a", 8080);
            await lab.WaitForListenerAsync("server-b", 8080);
            await lab.WaitForCaptureAsync("client");
            await lab.WaitForCaptureAsync("server-a");
            await lab.WaitForCaptureAsync("server-b");
            return lab;
        }
        catch
        {
            await lab.DisposeAsync();
            throw;
        }
    }

    private static string Vip(LabFixture lab, string service, string ns = "app") =>
        lab.State.Services.Single(s => s.Name == service && s.Namespace == ns).ClusterIp!;

    /// <summary>Sends <paramref name="count"/> requests one after another (one connection each) and counts them at each backend.</summary>
    private static async Task<(int A, int B)> RequestsAsync(LabFixture lab, string service, string path, int count)
    {
        var vip = Vip(lab, service);
        var run = await lab.ExecAsync("client", "sh", "-c",
            $"for i in $(seq {count}); do curl -sS -o /dev/null -m 10 -w '%{{http_code}}\\n' http://{vip}{path}; done");
        Assert.True(run.Ok, $"{run.Stderr}\n{lab.ZtunnelLogs()}");
        Assert.Equal(Enumerable.Repeat("200", count), run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        (int A, int B) seen = (0, 0);
        await LabFixture.WaitUntilAsync(() =>
        {
            seen = (Seen(lab, "server-a", path), Seen(lab, "server-b", path));
            return Task.FromResult(seen.A + seen.B >= count);
        }, TimeSpan.FromSeconds(10), $"the backends logged fewer than {count} requests to {path}");
        return seen;
    }

    private static int Seen(LabFixture lab, string pod, string path) =>
        Regex.Count(lab.Log(pod), $" GET {Regex.Escape(path)} ");

    /// <summary>node1 ztunnel's mesh_ztunnel_outstanding_connections, scraped from its 15020.</summary>
    private static async Task<long> OutstandingAsync(LabFixture lab)
    {
        var node1 = lab.State.Nodes.Single(n => n.Name == "node1");
        var metrics = await lab.Lab.ExecInNodeAsync("node1", ["curl", "-sf", $"http://{node1.Ip}:15020/metrics"]);
        Assert.True(metrics.Ok, metrics.Stderr);
        var line = metrics.Stdout.Split('\n').Single(l => l.StartsWith("mesh_ztunnel_outstanding_connections ", StringComparison.Ordinal));
        return long.Parse(line.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task WaitForOutstandingAsync(LabFixture lab, long expected)
    {
        long last = -1;
        try
        {
            await LabFixture.WaitUntilAsync(async () => (last = await OutstandingAsync(lab)) == expected, TimeSpan.FromSeconds(15), "");
        }
        catch (TimeoutException)
        {
            Assert.Fail($"node1's ztunnel never counted {expected} outstanding connections (last {last})\n{lab.ZtunnelLogs()}");
        }
    }
}
