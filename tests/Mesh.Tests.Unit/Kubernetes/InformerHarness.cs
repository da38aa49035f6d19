using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using k8s;
using System.Threading.Channels;
using Mesh.ControlPlane.Kubernetes;
using Mesh.Tests.Common;

namespace Mesh.Tests.Unit.Kubernetes;

/// <summary>A <see cref="KubeInformer"/> running against a <see cref="FakeKubeApiServer"/>, with its events collected.</summary>
internal sealed class InformerHarness : IAsyncDisposable
{
    private static readonly TimeSpan EventWait = TimeSpan.FromSeconds(20);
    private readonly CancellationTokenSource _stop = new();
    private readonly Channel<KubeEvent> _events = Channel.CreateUnbounded<KubeEvent>();
    private Task _run = Task.CompletedTask;
    private int _sentinels;

    private InformerHarness(FakeKubeApiServer server, KubeResource resource, KubeInformerOptions options, KubernetesClientConfiguration config)
    {
        Server = server;
        Resource = resource;
        Client = new k8s.Kubernetes(config);
        Informer = new KubeInformer(Client, resource, _events.Writer, options);
    }

    public FakeKubeApiServer Server { get; }

    public KubeResource Resource { get; }

    public string Path => Resource.CollectionPath;

    public k8s.Kubernetes Client { get; }

    /// <summary>A KubernetesClient configuration for the stand-in: its CA as the only root, its bearer token.</summary>
    public static KubernetesClientConfiguration ConfigFor(FakeKubeApiServer server) => new()
    {
        Host = server.Url.ToString(),
        SslCaCerts = [X509CertificateLoader.LoadCertificate(server.Certificates.Ca.RawData)],
        AccessToken = server.Token,
    };

    public KubeInformer Informer { get; }

    /// <summary>A fresh stand-in server and an informer on it; <paramref name="config"/> (default <see cref="ConfigFor"/>) says how the client connects.</summary>
    public static async Task<InformerHarness> CreateAsync(KubeResource resource, int pageSize = 2,
        Func<FakeKubeApiServer, KubernetesClientConfiguration>? config = null, string token = "fake-kube-token")
    {
        var server = await FakeKubeApiServer.StartAsync(token);
        return new InformerHarness(server, resource, new KubeInformerOptions
        {
            PageSize = pageSize,
            InitialBackoff = TimeSpan.FromMilliseconds(10),
            MaxBackoff = TimeSpan.FromMilliseconds(100),
        }, (config ?? ConfigFor)(server));
    }

    public void Start() => _run = Task.Run(() => Informer.RunAsync(_stop.Token));

    /// <summary>Starts the informer and reads the initial list's events up to and including Synced.</summary>
    public async Task<List<string>> StartAndSyncAsync()
    {
        Start();
        var seen = new List<string>();
        while (true)
        {
            var ev = await NextAsync();
            seen.Add(Describe(ev));
            if (ev.Type == KubeEventType.Synced)
            {
                return seen;
            }
        }
    }

    public async Task<KubeEvent> NextAsync()
    {
        using var timeout = new CancellationTokenSource(EventWait);
        try
        {
            return await _events.Reader.ReadAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new Xunit.Sdk.XunitException($"no informer event within {EventWait.TotalSeconds} s");
        }
    }

    public async Task<List<string>> TakeAsync(int count)
    {
        var seen = new List<string>();
        for (var i = 0; i < count; i++)
        {
            seen.Add(Describe(await NextAsync()));
        }

        return seen;
    }

    /// <summary>
    /// Proves nothing else is queued: writes a fresh pod on the server and asserts the very next
    /// event is its Added (any lost-then-late or duplicated event would come first).
    /// </summary>
    public async Task AssertNoOtherEventsAsync()
    {
        var name = $"sentinel-{++_sentinels}";
        var rv = Server.Upsert(Path, KubeTestObjects.Pod("zz-sentinel", name));
        Assert.Equal($"Added zz-sentinel/{name}@{rv}", Describe(await NextAsync()));
    }

    /// <summary>The informer cache as key -> resourceVersion, for comparing with <see cref="FakeKubeApiServer.State"/>.</summary>
    public Dictionary<string, string> CacheState() =>
        Informer.Cache.Snapshot().ToDictionary(KubeTestObjects.Key, KubeTestObjects.Rv, StringComparer.Ordinal);

    public static string Describe(KubeEvent ev) =>
        ev.Type == KubeEventType.Synced ? $"Synced {ev.Kind}" : $"{ev.Type} {KubeTestObjects.Key(ev.Object)}@{KubeTestObjects.Rv(ev.Object)}";

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _run;
        }
        catch (OperationCanceledException)
        {
        }

        Client.Dispose();
        await Server.DisposeAsync();
        _stop.Dispose();
    }

    public static JsonObject WithIp(JsonObject pod, string ip)
    {
        var copy = (JsonObject)pod.DeepClone();
        copy["status"]!["podIP"] = ip;
        return copy;
    }
}
