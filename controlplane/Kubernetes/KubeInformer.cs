using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using k8s;
using k8s.Autorest;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mesh.ControlPlane.Kubernetes;

/// <summary>
/// List/watch of one resource into a cache and a stream of <see cref="KubeEvent"/>s with no lost
/// and no duplicated events: a paginated list (Added per object, then Synced once), then watches
/// from the last seen resourceVersion (bookmarks advance it). A dropped connection re-watches from
/// there after exponential backoff with jitter; 410 Gone (HTTP status or ERROR event) relists and
/// emits only the difference against the cache.
/// </summary>
public sealed class KubeInformer
{
    public const string LastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration";

    private readonly IKubernetes _client;
    private readonly ChannelWriter<KubeEvent> _output;
    private readonly KubeInformerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Func<double> _jitter;
    private string? _resourceVersion;
    private volatile bool _synced;

    public KubeInformer(
        IKubernetes client,
        KubeResource resource,
        ChannelWriter<KubeEvent> output,
        KubeInformerOptions? options = null,
        TimeProvider? time = null,
        ILogger? logger = null,
        Func<double>? jitter = null)
    {
        _client = client;
        Resource = resource;
        _output = output;
        _options = options ?? new KubeInformerOptions();
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _jitter = jitter ?? Random.Shared.NextDouble;
        Cache = new KubeObjectCache(resource.Kind);
    }

    public KubeResource Resource { get; }

    public KubeObjectCache Cache { get; }

    /// <summary>The resourceVersion the next watch starts from (null before the first list).</summary>
    public string? ResourceVersion => Volatile.Read(ref _resourceVersion);

    public bool HasSynced => _synced;

    /// <summary>Runs until cancelled; never throws except OperationCanceledException on cancellation.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var needList = true;
        var failures = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var delay = TimeSpan.Zero;
            try
            {
                if (needList)
                {
                    var (items, resourceVersion) = await ListAllPagesAsync(cancellationToken);
                    await ApplyListAsync(items, resourceVersion, cancellationToken);
                    needList = false;
                    failures = 0;
                }

                var (outcome, events) = await WatchOnceAsync(cancellationToken);
                if (events > 0)
                {
                    failures = 0;
                }

                switch (outcome)
                {
                    case WatchOutcome.Expired:
                        KubeLog.Relisting(_logger, Resource.ToString(), ResourceVersion);
                        needList = true;
                        continue;
                    case WatchOutcome.Ended when events > 0:
                        continue;
                }

                // Ended with no events at all: do not spin on a server that closes watches at once.
                delay = NextDelay(ref failures);
            }
            catch (HttpOperationException e) when (e.Response?.StatusCode == HttpStatusCode.Gone && !needList)
            {
                KubeLog.Relisting(_logger, Resource.ToString(), ResourceVersion);
                needList = true;
                continue;
            }
            catch (HttpOperationException e) when (e.Response?.StatusCode == HttpStatusCode.NotFound)
            {
                // The API is not served (a CRD such as Gateway API not installed, or removed): it has
                // no objects. Sync as empty so the registry can become ready; look again later.
                KubeLog.ResourceMissing(_logger, Resource.ToString(), _options.MaxBackoff.TotalSeconds);
                if (needList)
                {
                    await ApplyListAsync([], ResourceVersion ?? "", cancellationToken);
                }

                needList = true;
                delay = _options.MaxBackoff;
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && IsTransient(e))
            {
                KubeLog.Failed(_logger, Resource.ToString(), needList ? "list" : "watch", Describe(e));
                delay = NextDelay(ref failures);
            }

            await Task.Delay(delay, _time, cancellationToken);
        }
    }

    private TimeSpan NextDelay(ref int failures) =>
        KubeBackoff.Delay(failures++, _options.InitialBackoff, _options.MaxBackoff, _jitter());

    private async Task ApplyListAsync(List<JsonObject> items, string resourceVersion, CancellationToken cancellationToken)
    {
        foreach (var item in items)
        {
            Stamp(item);
        }

        var events = Cache.Replace(items);
        foreach (var ev in events)
        {
            await _output.WriteAsync(ev, cancellationToken);
        }

        Volatile.Write(ref _resourceVersion, resourceVersion);
        KubeLog.Listed(_logger, Resource.ToString(), items.Count, resourceVersion, events.Count);
        if (!_synced)
        {
            _synced = true;
            await _output.WriteAsync(new KubeEvent(KubeEventType.Synced, Resource.Kind, []), cancellationToken);
        }
    }

    private async Task<(List<JsonObject> Items, string ResourceVersion)> ListAllPagesAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var items = new List<JsonObject>();
            string? resourceVersion = null;
            string? continueToken = null;
            try
            {
                do
                {
                    // The generic (custom object) call serves every group: the library maps group "" to /api/v1.
                    using var response = await _client.CustomObjects.ListClusterCustomObjectWithHttpMessagesAsync<JsonObject>(
                        Resource.Group, Resource.Version, Resource.Plural, limit: _options.PageSize, continueParameter: continueToken,
                        cancellationToken: cancellationToken);
                    var list = response.Body ?? throw new JsonException($"list of {Resource} returned no body");
                    var metadata = list["metadata"] as JsonObject;
                    resourceVersion ??= (string?)metadata?["resourceVersion"] ?? "";
                    continueToken = (string?)metadata?["continue"] is { Length: > 0 } next ? next : null;
                    if (list["items"] is JsonArray array)
                    {
                        items.AddRange(array.OfType<JsonObject>());
                        array.Clear(); // detach the items so they can live on in the cache
                    }
                }
                while (continueToken is not null);
                return (items, resourceVersion);
            }
            catch (HttpOperationException e) when (e.Response?.StatusCode == HttpStatusCode.Gone && continueToken is not null)
            {
                // The continue token expired between pages: start the list over.
                KubeLog.ContinueExpired(_logger, Resource.ToString());
            }
        }
    }

    private async Task<(WatchOutcome Outcome, int Events)> WatchOnceAsync(CancellationToken cancellationToken)
    {
        var events = 0;
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(_options.WatchTimeoutSeconds) + _options.WatchGrace, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, limit.Token);
        Exception? streamError = null;
        try
        {
            // ERROR events (a Status) and unreadable lines reach onError; the stream goes on, so each is
            // checked before the next event is applied: nothing after a bad line is taken out of order.
            var watch = _client.CustomObjects.WatchListClusterCustomObjectAsync(
                Resource.Group, Resource.Version, Resource.Plural, allowWatchBookmarks: true,
                resourceVersion: ResourceVersion ?? "", timeoutSeconds: _options.WatchTimeoutSeconds,
                onError: e => streamError ??= e, cancellationToken: linked.Token);
            await foreach (var (type, item) in watch)
            {
                if (Outcome(streamError) is { } stop)
                {
                    return (stop, events);
                }

                events++;
                var obj = item switch
                {
                    JsonObject o => o,
                    JsonElement { ValueKind: JsonValueKind.Object } element => JsonObject.Create(element)!,
                    _ => throw new JsonException($"{Resource}: watch event object is not a JSON object"),
                };
                switch (type)
                {
                    case WatchEventType.Bookmark:
                        if (KubeObjectCache.ResourceVersionOf(obj) is { Length: > 0 } bookmark)
                        {
                            Volatile.Write(ref _resourceVersion, bookmark);
                        }

                        break;
                    case WatchEventType.Added or WatchEventType.Modified or WatchEventType.Deleted:
                        Stamp(obj);
                        if (Cache.Apply(type, obj) is { } emitted)
                        {
                            await _output.WriteAsync(emitted, cancellationToken);
                        }

                        if (KubeObjectCache.ResourceVersionOf(obj) is { Length: > 0 } rv)
                        {
                            Volatile.Write(ref _resourceVersion, rv);
                        }

                        break;
                    default:
                        KubeLog.UnknownEvent(_logger, Resource.ToString(), type.ToString());
                        break;
                }
            }
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            KubeLog.WatchStalled(_logger, Resource.ToString());
        }
        catch (EndOfStreamException)
        {
            // The library reads the first line before it returns the watch: the server ended it with no event.
        }

        return (Outcome(streamError) ?? WatchOutcome.Ended, events);
    }

    /// <summary>Expired for a 410 Status event; throws any other stream error (the caller re-watches after backoff).</summary>
    private WatchOutcome? Outcome(Exception? streamError) => streamError switch
    {
        null => null,
        KubernetesException { Status.Code: 410 } => WatchOutcome.Expired,
        KubernetesException { Status: { } status } => throw new KubernetesException(status,
            new InvalidOperationException($"{Resource}: watch ERROR event {status.Code} {status.Reason}: {status.Message}")),
        _ => throw new JsonException($"{Resource}: unreadable watch event: {streamError.Message}", streamError),
    };

    /// <summary>
    /// Sets apiVersion and kind (list items lack them) and drops what the mesh never reads but
    /// costs memory per object: managedFields and kubectl's last-applied-configuration copy.
    /// </summary>
    internal void Stamp(JsonObject obj)
    {
        obj["apiVersion"] ??= Resource.ApiVersion;
        obj["kind"] ??= Resource.Kind;
        if (obj["metadata"] is JsonObject metadata)
        {
            metadata.Remove("managedFields");
            (metadata["annotations"] as JsonObject)?.Remove(LastAppliedAnnotation);
        }
    }

    private static bool IsTransient(Exception e) =>
        e is HttpRequestException or IOException or JsonException or HttpOperationException or KubernetesException
            or OperationCanceledException or System.Security.Authentication.AuthenticationException
            or k8s.Exceptions.KubeConfigException; // an exec credential plugin that failed this time

    /// <summary>One line: the HTTP status and reason for an API error (what to grant or install), else the message.</summary>
    private string Describe(Exception e) => e switch
    {
        HttpOperationException { Response: { } r } => $"{Resource}: API server answered {(int)r.StatusCode} {r.ReasonPhrase}" + r.StatusCode switch
        {
            HttpStatusCode.Unauthorized => " (the token or client certificate was not accepted)",
            HttpStatusCode.Forbidden => $" (grant the control plane's identity list and watch on {Resource})",
            _ => "",
        },
        KubernetesException { InnerException: { } inner } => inner.Message,
        _ => KubeConfigLoader.FirstLine(e.Message),
    };

    private enum WatchOutcome
    {
        Ended,
        Expired,
    }
}
