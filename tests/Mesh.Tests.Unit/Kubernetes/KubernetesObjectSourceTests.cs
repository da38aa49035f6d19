using Mesh.ControlPlane.Kubernetes;
using Mesh.ControlPlane.Registry;
using Mesh.ControlPlane.Translation;
using Mesh.Tests.Common;
using Microsoft.Extensions.Logging.Abstractions;
using static Mesh.Tests.Unit.Kubernetes.KubeTestObjects;

namespace Mesh.Tests.Unit.Kubernetes;

/// <summary>
/// The Kubernetes registry feeding the shared registry and translation, against the stand-in API
/// server (<see cref="FakeKubeApiServer"/>; the real kube-apiserver cannot run on this machine).
/// </summary>
public sealed class KubernetesObjectSourceTests
{
    private static readonly KubeInformerOptions FastRetry = new()
    {
        InitialBackoff = TimeSpan.FromMilliseconds(10),
        MaxBackoff = TimeSpan.FromMilliseconds(100),
    };

    private static k8s.Kubernetes ClientFor(FakeKubeApiServer server) => new(InformerHarness.ConfigFor(server));

    [Fact]
    public async Task WatchAsync_InitialState_ResetThenObjectsThenOneSynced()
    {
        await using var server = await FakeKubeApiServer.StartAsync();
        server.Upsert(KubeResource.Namespaces.CollectionPath, Namespace("apps", "ambient"));
        server.Upsert(KubeResource.Pods.CollectionPath, Pod("apps", "web"));
        using var client = ClientFor(server);
        var source = new KubernetesObjectSource(client, FastRetry);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));

        var changes = new List<ObjectChange>();
        await foreach (var change in source.WatchAsync(stop.Token))
        {
            changes.Add(change);
            if (change.Change == ObjectChangeKind.Synced)
            {
                break;
            }
        }

        Assert.Equal(ObjectChangeKind.Reset, changes[0].Change);
        Assert.Equal("", changes[0].Kind);
        Assert.Equal(
            ["Namespace apps", "Pod apps/web"],
            changes.Where(c => c.Change == ObjectChangeKind.Upsert).Select(c => c.Key.ToString()).Order(StringComparer.Ordinal));
        Assert.Equal(4, changes.Count);
        Assert.Equal("", changes[^1].Kind);
        Assert.Equal(KubeResource.All.Count, server.Requests.Count(r => !r.IsWatch));
    }

    [Fact]
    public async Task Registry_KubernetesSource_TranslatesWatchedChangesAndRelists()
    {
        await using var server = await FakeKubeApiServer.StartAsync();
        var pods = KubeResource.Pods.CollectionPath;
        server.Upsert(KubeResource.Namespaces.CollectionPath, Namespace("apps", "ambient"));
        server.Upsert(pods, Pod("apps", "web", ip: "198.18.1.2"));
        var hub = new MeshStateHub();
        using var client = ClientFor(server);
        var source = new KubernetesObjectSource(client, FastRetry);
        using var registry = new ObjectRegistry([source], hub, TranslationOptions.Default, NullLogger<ObjectRegistry>.Instance, TimeProvider.System);
        await registry.StartAsync(CancellationToken.None);
        try
        {
            var first = await WaitFor(hub, s => s.State.Workloads.Length == 1);
            Assert.True(first.State.Workloads[0].Captured);
            Assert.Equal("node-1", first.State.Workloads[0].Node);

            server.Upsert(pods, Pod("apps", "api", ip: "198.18.1.3"));
            await WaitFor(hub, s => s.State.Workloads.Length == 2);

            // Missed changes across a compaction: the relist's diff reaches the translation.
            await server.WaitForWatchesAsync(pods, 1);
            server.HoldWatches();
            server.DropWatches();
            server.Delete(pods, "apps", "web");
            server.Upsert(pods, Pod("apps", "db", ip: "198.18.1.4"));
            server.Compact();
            server.ReleaseWatches();
            var after = await WaitFor(hub, s => s.State.Workloads.Select(w => w.Name).Order().SequenceEqual(["api", "db"]));
            Assert.Equal(["198.18.1.3", "198.18.1.4"], after.State.Workloads.SelectMany(w => w.Addresses).Select(a => a.ToString()).Order());
        }
        finally
        {
            await registry.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task Registry_KubernetesServiceWithPreferClose_StateCarriesTrafficDistribution()
    {
        await using var server = await FakeKubeApiServer.StartAsync();
        server.Upsert(KubeResource.Namespaces.CollectionPath, Namespace("apps", "ambient"));
        server.Upsert(KubeResource.Pods.CollectionPath, Pod("apps", "web", ip: "198.18.1.2"));
        server.Upsert(KubeResource.Services.CollectionPath, Service("apps", "close", "PreferClose"));
        server.Upsert(KubeResource.Services.CollectionPath, Service("apps", "plain", null));
        var hub = new MeshStateHub();
        using var client = ClientFor(server);
        using var registry = new ObjectRegistry([new KubernetesObjectSource(client, FastRetry)], hub, TranslationOptions.Default,
            NullLogger<ObjectRegistry>.Instance, TimeProvider.System);
        await registry.StartAsync(CancellationToken.None);
        try
        {
            var state = (await WaitFor(hub, s => s.State.Services.Length == 2)).State;
            Assert.Equal(Mesh.Core.Model.TrafficDistribution.PreferClose, state.Services.Single(s => s.Name == "close").TrafficDistribution);
            Assert.Equal(Mesh.Core.Model.TrafficDistribution.Any, state.Services.Single(s => s.Name == "plain").TrafficDistribution);
        }
        finally
        {
            await registry.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task Registry_KubernetesGrpcRouteAndHttpRouteOfOneName_BothReachTheStateWithTheirFilters()
    {
        await using var server = await FakeKubeApiServer.StartAsync();
        server.Upsert(KubeResource.Services.CollectionPath, Service("apps", "grpc", null));
        const string spec = """
            "spec": {"parentRefs": [{"kind": "Service", "name": "grpc"}], "rules": [{
              "filters": [{"type": "RequestHeaderModifier", "requestHeaderModifier": {"set": [{"name": "x-a", "value": "1"}]}}],
              "backendRefs": [{"name": "grpc", "port": 80}]}]}
            """;
        server.Upsert(KubeResource.GrpcRoutes.CollectionPath, System.Text.Json.Nodes.JsonNode.Parse($$"""
            {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "GRPCRoute", "metadata": {"name": "r", "namespace": "apps"}, {{spec}}}
            """)!.AsObject());
        server.Upsert(KubeResource.HttpRoutes.CollectionPath, System.Text.Json.Nodes.JsonNode.Parse($$"""
            {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute", "metadata": {"name": "r", "namespace": "apps"}, {{spec}}}
            """)!.AsObject());
        var hub = new MeshStateHub();
        using var client = ClientFor(server);
        using var registry = new ObjectRegistry([new KubernetesObjectSource(client, FastRetry)], hub, TranslationOptions.Default,
            NullLogger<ObjectRegistry>.Instance, TimeProvider.System);
        await registry.StartAsync(CancellationToken.None);
        try
        {
            var snapshot = await WaitFor(hub, s => s.State.HttpRoutes.Length == 2);
            Assert.Empty(snapshot.Errors);
            Assert.Equal(["GRPCRoute:apps/r", "apps/r"], snapshot.State.HttpRoutes.Select(r => r.ResourceName).Order(StringComparer.Ordinal));
            Assert.All(snapshot.State.HttpRoutes, r => Assert.Equal("x-a", Assert.Single(r.Rules[0].Filters.RequestHeaders!.Set).Name));
        }
        finally
        {
            await registry.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public void AddKubernetesRegistry_ExplicitConfig_RegistersObjectSourceAndSharedClient()
    {
        var services = new Microsoft.Extensions.DependencyInjection.ServiceCollection();
        services.AddKubernetesRegistry(new k8s.KubernetesClientConfiguration { Host = "https://127.0.0.1:6443" });
        using var provider = Microsoft.Extensions.DependencyInjection.ServiceCollectionContainerBuilderExtensions.BuildServiceProvider(services);

        var source = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<IObjectSource>(provider);

        Assert.IsType<KubernetesObjectSource>(source);
        Assert.Equal("kubernetes:https://127.0.0.1:6443/", source.Name);
        Assert.Equal(new Uri("https://127.0.0.1:6443/"), Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<k8s.IKubernetes>(provider).BaseUri);
    }

    private static async Task<RegistrySnapshot> WaitFor(MeshStateHub hub, Func<RegistrySnapshot, bool> condition)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (true)
        {
            var next = hub.NextAsync(deadline.Token);
            if (hub.Current is { } s && condition(s))
            {
                return s;
            }

            await next;
        }
    }
}
