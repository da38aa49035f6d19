using System.Text.Json.Nodes;
using k8s;

namespace Mesh.ControlPlane.Kubernetes;

/// <summary>
/// The informer's cache of one kind keyed by namespace/name, and the pure rules that turn watch
/// events and relists into consumer events: a watch event whose resourceVersion equals the cached
/// one is a duplicate and emits nothing; a relist emits Deleted for objects that vanished, Added for
/// new ones and Modified only where the resourceVersion changed. One writer (the informer); readers
/// take <see cref="Snapshot"/> under the lock.
/// </summary>
public sealed class KubeObjectCache
{
    private readonly Dictionary<string, JsonObject> _objects = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public KubeObjectCache(string kind)
    {
        Kind = kind;
    }

    public string Kind { get; }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _objects.Count;
            }
        }
    }

    /// <summary>"namespace/name", or "name" for cluster-scoped objects.</summary>
    public static string KeyOf(JsonObject obj)
    {
        var metadata = obj["metadata"] as JsonObject;
        var name = (string?)metadata?["name"] ?? "";
        var ns = (string?)metadata?["namespace"];
        return string.IsNullOrEmpty(ns) ? name : $"{ns}/{name}";
    }

    public static string? ResourceVersionOf(JsonObject obj) => (string?)(obj["metadata"] as JsonObject)?["resourceVersion"];

    public IReadOnlyList<JsonObject> Snapshot()
    {
        lock (_lock)
        {
            return [.. _objects.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Value)];
        }
    }

    public JsonObject? Get(string key)
    {
        lock (_lock)
        {
            return _objects.GetValueOrDefault(key);
        }
    }

    /// <summary>Applies one ADDED/MODIFIED/DELETED watch event; returns the event to emit, or null for a duplicate or no-op.</summary>
    public KubeEvent? Apply(WatchEventType watchType, JsonObject obj)
    {
        var key = KeyOf(obj);
        lock (_lock)
        {
            switch (watchType)
            {
                case WatchEventType.Added or WatchEventType.Modified:
                    var existing = _objects.GetValueOrDefault(key);
                    if (existing is not null && ResourceVersionOf(existing) == ResourceVersionOf(obj))
                    {
                        return null;
                    }

                    _objects[key] = obj;
                    return new KubeEvent(existing is null ? KubeEventType.Added : KubeEventType.Modified, Kind, obj);
                case WatchEventType.Deleted:
                    return _objects.Remove(key) ? new KubeEvent(KubeEventType.Deleted, Kind, obj) : null;
                default:
                    throw new ArgumentException($"not an object watch event type: {watchType}", nameof(watchType));
            }
        }
    }

    /// <summary>
    /// Replaces the whole cache with a fresh list and returns the difference as events: Deleted
    /// (last known state, ordered by key) first, then Added and Modified in list order.
    /// </summary>
    public IReadOnlyList<KubeEvent> Replace(IReadOnlyList<JsonObject> listed)
    {
        var fresh = new Dictionary<string, JsonObject>(listed.Count, StringComparer.Ordinal);
        var order = new List<string>(listed.Count);
        foreach (var obj in listed)
        {
            var key = KeyOf(obj);
            if (fresh.TryAdd(key, obj))
            {
                order.Add(key);
            }
            else
            {
                fresh[key] = obj;
            }
        }

        var events = new List<KubeEvent>();
        lock (_lock)
        {
            foreach (var (key, old) in _objects.Where(p => !fresh.ContainsKey(p.Key)).OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                events.Add(new KubeEvent(KubeEventType.Deleted, Kind, old));
            }

            foreach (var key in order)
            {
                var obj = fresh[key];
                if (!_objects.TryGetValue(key, out var old))
                {
                    events.Add(new KubeEvent(KubeEventType.Added, Kind, obj));
                }
                else if (ResourceVersionOf(old) != ResourceVersionOf(obj))
                {
                    events.Add(new KubeEvent(KubeEventType.Modified, Kind, obj));
                }
                else
                {
                    fresh[key] = old; // unchanged: keep the instance consumers already hold
                }
            }

            _objects.Clear();
            foreach (var (key, obj) in fresh)
            {
                _objects[key] = obj;
            }
        }

        return events;
    }
}
