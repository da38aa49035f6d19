using System.Net;
using Mesh.ControlPlane;
using Mesh.ControlPlane.Registry;
using Mesh.Core.Discovery;
using Mesh.Core.Identity;
using Mesh.Core.Model;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mesh.Tests.Integration.ControlPlane;

/// <summary>A real control plane (Kestrel, TLS, HTTP/2) on loopback with a file registry in a temp folder.</summary>
internal sealed class TestControlPlane : IAsyncDisposable
{
    public const string Cluster = """
        apiVersion: v1
        kind: Namespace
        metadata: { name: demo, labels: { mesh.dev/dataplane-mode: ambient } }
        ---
        apiVersion: v1
        kind: Pod
        metadata: { name: client, namespace: demo, labels: { app: client } }
        spec: { nodeName: node1, serviceAccountName: client }
        status: { podIP: 198.18.1.2 }
        ---
        apiVersion: v1
        kind: Pod
        metadata: { name: server, namespace: demo, labels: { app: server } }
        spec: { nodeName: node2, serviceAccountName: server }
        status: { podIP: 198.18.2.2 }
        ---
        apiVersion: v1
        kind: Service
        metadata: { name: server, namespace: demo }
        spec: { clusterIP: 198.19.128.10, selector: { app: server }, ports: [ { port: 80, targetPort: 8080 } ] }
        """;

    private TestControlPlane(string root, WebApplication app)
    {
        Root = root;
        App = app;
    }

    public string Root { get; }
    public WebApplication App { get; }
    public string ClusterDir => Path.Combine(Root, "cluster");
    public string StateDir => Path.Combine(Root, "state");
    public string TokensFile => Path.Combine(Root, "tokens.json");
    public int Port => ControlPlaneHost.BoundPort(App, tls: true);
    public int MonitoringPort => ControlPlaneHost.BoundPort(App, tls: false);

    /// <summary>Starts a control plane over <paramref name="root"/> (created with the demo cluster when new) and waits until ready.</summary>
    public static async Task<TestControlPlane> StartAsync(string root, int port = 0)
    {
        Directory.CreateDirectory(Path.Combine(root, "cluster"));
        var clusterFile = Path.Combine(root, "cluster", "cluster.yaml");
        if (!File.Exists(clusterFile))
        {
            await File.WriteAllTextAsync(clusterFile, Cluster);
        }
        await File.WriteAllTextAsync(Path.Combine(root, "tokens.json"), """{"node1": "token-1", "node2": "token-2"}""");
        var options = new ControlPlaneOptions
        {
            Directory = Path.Combine(root, "cluster"),
            StateDirectory = Path.Combine(root, "state"),
            NodeTokensFile = Path.Combine(root, "tokens.json"),
            Listen = new IPEndPoint(IPAddress.Loopback, port),
            Monitoring = new IPEndPoint(IPAddress.Loopback, 0),
        };
        var app = ControlPlaneHost.Build(options, l => l.SetMinimumLevel(LogLevel.Warning));
        await app.StartAsync();
        var hub = app.Services.GetRequiredService<MeshStateHub>();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (hub.Current is null)
        {
            await Task.Delay(20, deadline.Token);
        }
        return new TestControlPlane(root, app);
    }

    public ControlPlaneClientOptions ClientOptions(string node) => new()
    {
        Address = new Uri($"https://127.0.0.1:{Port}"),
        TrustBundleFile = Path.Combine(StateDir, "ca", "trust-bundle.pem"),
        Node = node,
        TokenFile = TokensFile,
        ServerIdentity = SpiffeId.Parse("spiffe://cluster.local/ns/mesh-system/sa/controlplane"),
    };

    /// <summary>Waits until <paramref name="client"/>'s state satisfies <paramref name="condition"/>; throws when <paramref name="deadline"/> passes first.</summary>
    public static async Task<MeshState> WaitFor(DiscoveryClient client, Func<MeshState, bool> condition, TimeSpan deadline)
    {
        using var cts = new CancellationTokenSource(deadline);
        while (true)
        {
            var next = client.NextChangeAsync(cts.Token);
            if (condition(client.Current))
            {
                return client.Current;
            }
            await next;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
