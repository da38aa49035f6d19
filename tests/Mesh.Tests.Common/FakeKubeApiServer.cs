using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mesh.Tests.Common;

/// <summary>
/// A stand-in for kube-apiserver. The real API server (with etcd) cannot run on this machine, so
/// this small Kestrel server on loopback speaks the parts of its list/watch protocol the control
/// plane uses: HTTPS with a test CA, bearer token or client certificate authentication, paginated
/// lists (limit/continue) with a resourceVersion, and watches that replay events after the
/// requested resourceVersion and then stream what the test pushes (ADDED/MODIFIED/DELETED,
/// BOOKMARK), answer 410 Gone for a compacted resourceVersion (as an HTTP status or as an ERROR
/// event, like the real server), and can be dropped or ended mid-stream. For the control plane's
/// TokenReview authentication it also reviews the service account tokens a test issues (expiry,
/// audiences, bound pod name/uid) and serves GET of one pod (<c>FakeKubeApiServer.Auth.cs</c>). For the
/// control plane's writers it serves GET/POST/PUT/PATCH (server-side apply, status merge patch)/DELETE of one
/// object with optimistic concurrency and owner-reference garbage collection (<c>FakeKubeApiServer.Objects.cs</c>). It is a
/// fake only because kube-apiserver cannot run here; the client side is the real KubernetesClient
/// library. Every request is logged.
/// </summary>
public sealed partial class FakeKubeApiServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, FakeKubeCollection> _collections = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<FakeKubeRequest> _requests = new();
    private readonly HashSet<string> _notServed = new(StringComparer.Ordinal);
    private long _resourceVersion = 100;
    private long _compactedBelow;
    private TaskCompletionSource _watchGate = CompletedGate();

    private FakeKubeApiServer(FakeKubeCertificates certificates, string token)
    {
        Certificates = certificates;
        Token = token;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(https =>
        {
            https.ServerCertificate = certificates.Server;
            https.ClientCertificateMode = ClientCertificateMode.AllowCertificate;
            https.AllowAnyClientCertificate();
        })));
        _app = builder.Build();
        _app.Run(HandleAsync);
    }

    public FakeKubeCertificates Certificates { get; }

    /// <summary>The bearer token the server accepts (change it to simulate a rotated token).</summary>
    public string Token { get; set; }

    /// <summary>Report a too-old watch resourceVersion as 200 + ERROR event (true, what kube-apiserver does) or as HTTP 410.</summary>
    public bool GoneAsErrorEvent { get; set; } = true;

    /// <summary>Also replay the event at exactly the requested resourceVersion (a duplicate the client must drop).</summary>
    public bool ReplayRequestedVersion { get; set; }

    public Uri Url { get; private set; } = null!;

    public IReadOnlyList<FakeKubeRequest> Requests => [.. _requests];

    public string ResourceVersion
    {
        get
        {
            lock (_lock)
            {
                return _resourceVersion.ToString();
            }
        }
    }

    public static async Task<FakeKubeApiServer> StartAsync(string token = "fake-kube-token")
    {
        var server = new FakeKubeApiServer(new FakeKubeCertificates(), token);
        await server._app.StartAsync();
        var address = server._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.Url = new Uri($"https://127.0.0.1:{new Uri(address).Port}");
        return server;
    }

    public IReadOnlyList<FakeKubeRequest> WatchRequests(string collectionPath) =>
        [.. Requests.Where(r => r.IsWatch && r.Path == collectionPath)];

    public IReadOnlyList<FakeKubeRequest> ListRequests(string collectionPath) =>
        [.. Requests.Where(r => !r.IsWatch && r.Path == collectionPath)];

    /// <summary>Makes a collection answer 404 (an API whose CRD is not installed) or serve again.</summary>
    public void SetServed(string collectionPath, bool served)
    {
        lock (_lock)
        {
            if (served)
            {
                _notServed.Remove(collectionPath);
            }
            else
            {
                _notServed.Add(collectionPath);
            }
        }
    }

    /// <summary>The objects the server holds now, in key order ("namespace/name" -> resourceVersion).</summary>
    public IReadOnlyDictionary<string, string> State(string collectionPath)
    {
        lock (_lock)
        {
            return Collection(collectionPath).Objects.ToDictionary(p => p.Key, p => (string)p.Value["metadata"]!["resourceVersion"]!, StringComparer.Ordinal);
        }
    }

    /// <summary>Creates or replaces an object (keyed by namespace/name); returns its new resourceVersion.</summary>
    public string Upsert(string collectionPath, JsonObject obj)
    {
        lock (_lock)
        {
            var rv = ++_resourceVersion;
            var copy = (JsonObject)obj.DeepClone();
            var metadata = copy["metadata"] as JsonObject ?? throw new ArgumentException("object has no metadata");
            metadata["resourceVersion"] = rv.ToString();
            Collection(collectionPath).Record(rv, copy, deleted: false);
            return rv.ToString();
        }
    }

    /// <summary>Deletes an object and, like the garbage collector, what it owns; returns the resourceVersion of the deletion.</summary>
    public string Delete(string collectionPath, string? ns, string name)
    {
        lock (_lock)
        {
            var collection = Collection(collectionPath);
            var key = FakeKubeCollection.Key(ns, name);
            var old = collection.Objects.GetValueOrDefault(key) ?? throw new ArgumentException($"no object {key}");
            var rv = ++_resourceVersion;
            var copy = (JsonObject)old.DeepClone();
            copy["metadata"]!["resourceVersion"] = rv.ToString();
            collection.Record(rv, copy, deleted: true);
            CollectGarbage((string?)copy["metadata"]!["uid"]);
            return rv.ToString();
        }
    }

    /// <summary>Advances the global resourceVersion (as other resources' writes do) and sends a BOOKMARK carrying it.</summary>
    public string Bookmark(string collectionPath)
    {
        lock (_lock)
        {
            var rv = ++_resourceVersion;
            Collection(collectionPath).Broadcast(BookmarkLine(collectionPath, rv));
            return rv.ToString();
        }
    }

    /// <summary>Forgets the event history: a watch from any older resourceVersion now gets 410 Gone.</summary>
    public void Compact()
    {
        lock (_lock)
        {
            _compactedBelow = _resourceVersion;
            foreach (var collection in _collections.Values)
            {
                collection.Log.Clear();
            }
        }
    }

    /// <summary>New watch requests wait until <see cref="ReleaseWatches"/> (lists still answer).</summary>
    public void HoldWatches()
    {
        lock (_lock)
        {
            if (_watchGate.Task.IsCompleted)
            {
                _watchGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
    }

    public void ReleaseWatches()
    {
        lock (_lock)
        {
            _watchGate.TrySetResult();
        }
    }

    /// <summary>Aborts every open watch connection mid-stream (the client sees a reset, not a clean end).</summary>
    public void DropWatches() => ForEachWatcher(w => w.Context.Abort());

    /// <summary>Ends every open watch cleanly after what was already sent, as a timeoutSeconds expiry does.</summary>
    public void EndWatches() => ForEachWatcher(w => w.Lines.Writer.TryComplete());

    /// <summary>Sends an ERROR event with a 410 Status on every open watch, then ends it.</summary>
    public void ExpireWatches() => ForEachWatcher(w =>
    {
        w.Lines.Writer.TryWrite(GoneEventLine());
        w.Lines.Writer.TryComplete();
    });

    /// <summary>Writes a line that is not a watch event on every open watch (a proxy or server fault), which the stream then goes on after.</summary>
    public void SendUnreadableLine() => ForEachWatcher(w => w.Lines.Writer.TryWrite("{\"type\": \"ADDED\", \"object\": {broken"));

    /// <summary>Waits until at least <paramref name="count"/> watches of the collection have been accepted.</summary>
    public async Task WaitForWatchesAsync(string collectionPath, int count)
    {
        for (var i = 0; i < 2000; i++)
        {
            lock (_lock)
            {
                if (Collection(collectionPath).WatchesAccepted >= count)
                {
                    return;
                }
            }

            await Task.Delay(10);
        }

        throw new TimeoutException($"{collectionPath}: fewer than {count} watches after 20 s");
    }

    public async ValueTask DisposeAsync()
    {
        ReleaseWatches();
        EndWatches();
        await _app.StopAsync();
        await _app.DisposeAsync();
        Certificates.Dispose();
    }

    private static TaskCompletionSource CompletedGate()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        gate.SetResult();
        return gate;
    }

    private FakeKubeCollection Collection(string path)
    {
        if (!_collections.TryGetValue(path, out var collection))
        {
            _collections[path] = collection = new FakeKubeCollection(path);
        }

        return collection;
    }

    private void ForEachWatcher(Action<FakeKubeCollection.Watcher> action)
    {
        lock (_lock)
        {
            foreach (var watcher in _collections.Values.SelectMany(c => c.Watchers).ToList())
            {
                action(watcher);
            }
        }
    }
}
