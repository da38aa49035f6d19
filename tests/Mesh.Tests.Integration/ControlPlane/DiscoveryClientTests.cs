using System.Diagnostics;
using Mesh.Core.Discovery;
using Mesh.Core.Model;
using static Mesh.Tests.Integration.ControlPlane.TestControlPlane;

namespace Mesh.Tests.Integration.ControlPlane;

/// <summary>Discovery over real HTTP/2 + TLS on loopback, against a real control plane with a file registry.</summary>
public sealed class DiscoveryClientTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("cp-disco-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static DiscoveryClient Client(TestControlPlane cp, string node, bool full = false) => new(new DiscoveryClientOptions
    {
        ControlPlane = cp.ClientOptions(node),
        FullView = full,
        MinBackoff = TimeSpan.FromMilliseconds(50),
        MaxBackoff = TimeSpan.FromMilliseconds(300),
    });

    [Fact]
    public async Task RunAsync_FileRegistryChange_ReachesConnectedClientWithinOneSecond()
    {
        await using var cp = await TestControlPlane.StartAsync(_root);
        using var client = Client(cp, "node1");
        using var stop = new CancellationTokenSource();
        var run = client.RunAsync(stop.Token);

        var initial = await WaitFor(client, s => s.Workloads.Length == 2, TimeSpan.FromSeconds(10));
        Assert.Equal(["demo/server"], initial.Services.Single().Endpoints.ToArray());

        var started = Stopwatch.StartNew();
        await File.WriteAllTextAsync(Path.Combine(cp.ClusterDir, "extra.yaml"), """
            apiVersion: v1
            kind: Pod
            metadata: { name: server-2, namespace: demo, labels: { app: server } }
            spec: { nodeName: node2, serviceAccountName: server }
            status: { podIP: 198.18.2.3 }
            """);
        // The deadline is the requirement: the change must reach the client within 1 s.
        var changed = await WaitFor(client, s => s.Workloads.Length == 3, TimeSpan.FromSeconds(1));
        started.Stop();

        Assert.Equal(["demo/server", "demo/server-2"], changed.Services.Single().Endpoints.ToArray());
        Assert.Equal(1, client.FullStatesReceived);
        Assert.True(client.DeltasReceived >= 1);
        await stop.CancelAsync();
        await run;
    }

    [Fact]
    public async Task RunAsync_ControlPlaneRestart_KeepsLastStateThenResumesWithDelta()
    {
        var cp = await TestControlPlane.StartAsync(_root);
        var port = cp.Port;
        using var client = Client(cp, "node1");
        using var stop = new CancellationTokenSource();
        var run = client.RunAsync(stop.Token);
        try
        {
            var before = await WaitFor(client, s => s.Workloads.Length == 2, TimeSpan.FromSeconds(10));
            var epoch = client.Epoch;

            // Control plane gone: the client fails to reconnect and keeps serving its last state.
            await cp.DisposeAsync();
            var failures = client.Failures;
            using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
            {
                while (client.Failures < failures + 2)
                {
                    await Task.Delay(20, cts.Token);
                }
            }
            Assert.False(client.Connected);
            Assert.Same(before, client.Current);
            Assert.Equal(2, client.Current.Workloads.Length);

            // While it is down, the cluster changes; a new control plane (new epoch) starts on the same port.
            await File.WriteAllTextAsync(Path.Combine(_root, "cluster", "extra.yaml"), """
                apiVersion: v1
                kind: Pod
                metadata: { name: late, namespace: demo }
                spec: { nodeName: node2 }
                status: { podIP: 198.18.2.9 }
                """);
            cp = await TestControlPlane.StartAsync(_root, port);
            var after = await WaitFor(client, s => s.Workloads.Length == 3, TimeSpan.FromSeconds(15));

            Assert.NotEqual(epoch, client.Epoch);
            Assert.True(after.Version > before.Version);
            Assert.True(after.WorkloadsByUid.ContainsKey("demo/late"));
            // Resumed from its hashes: only the change came, not a second full state.
            Assert.Equal(1, client.FullStatesReceived);
        }
        finally
        {
            await stop.CancelAsync();
            await run;
            await cp.DisposeAsync();
        }
    }

    [Fact]
    public async Task RunAsync_NodeView_OwnPodsInFullOthersSlimNoRoutes()
    {
        await File.WriteAllTextAsync(Path.Combine(Directory.CreateDirectory(Path.Combine(_root, "cluster")).FullName, "route.yaml"), """
            apiVersion: gateway.networking.k8s.io/v1
            kind: HTTPRoute
            metadata: { name: r, namespace: demo }
            spec: { parentRefs: [ { kind: Service, name: server } ], rules: [ { backendRefs: [ { name: server, port: 80 } ] } ] }
            """);
        await using var cp = await TestControlPlane.StartAsync(_root);
        using var node1 = Client(cp, "node1");
        using var waypoint = Client(cp, "node2", full: true);
        using var stop = new CancellationTokenSource();
        var runs = new[] { node1.RunAsync(stop.Token), waypoint.RunAsync(stop.Token) };

        var n = await WaitFor(node1, s => s.Workloads.Length == 2, TimeSpan.FromSeconds(10));
        var w = await WaitFor(waypoint, s => s.Workloads.Length == 2, TimeSpan.FromSeconds(10));

        Assert.Equal("client", n.WorkloadsByUid["demo/client"].Labels["app"]);
        Assert.Empty(n.WorkloadsByUid["demo/server"].Labels);
        Assert.Equal("node2", n.WorkloadsByUid["demo/server"].Node);
        Assert.Empty(n.HttpRoutes);
        Assert.Equal("server", w.WorkloadsByUid["demo/server"].Labels["app"]);
        Assert.Equal("r", Assert.Single(w.HttpRoutes).Name);
        await stop.CancelAsync();
        await Task.WhenAll(runs);
    }

    [Fact]
    public async Task RunAsync_UnknownNodeToken_RefusedAndKeepsEmptyState()
    {
        await using var cp = await TestControlPlane.StartAsync(_root);
        using var client = new DiscoveryClient(new DiscoveryClientOptions
        {
            ControlPlane = cp.ClientOptions("node1") with { TokenFile = null, Token = "stolen" },
            MinBackoff = TimeSpan.FromMilliseconds(50),
        });
        using var stop = new CancellationTokenSource();
        var run = client.RunAsync(stop.Token);
        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            while (client.Failures < 1)
            {
                await Task.Delay(20, cts.Token);
            }
        }
        Assert.Empty(client.Current.Workloads);
        Assert.Equal(0, client.FullStatesReceived);
        await stop.CancelAsync();
        await run;
    }
}
