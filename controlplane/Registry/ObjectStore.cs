using System.Text.Json.Nodes;

namespace Mesh.ControlPlane.Registry;

/// <summary>
/// The objects one source has sent, with Reset/Synced staging so a relist replaces a kind atomically.
/// Used by the registry loop only (single thread).
/// </summary>
internal sealed class ObjectStore
{
    private readonly Dictionary<ObjectKey, JsonObject> _objects = [];
    /// <summary>Kinds being relisted ("" = all) and what has arrived for them so far.</summary>
    private readonly Dictionary<string, Dictionary<ObjectKey, JsonObject>> _staging = new(StringComparer.Ordinal);
    private readonly List<SourceError> _pendingErrors = [];

    public bool Synced { get; private set; }
    public IReadOnlyList<SourceError> Errors { get; private set; } = [];
    public IEnumerable<JsonObject> Objects => _objects.Values;

    /// <summary>Applies one change; returns true when the published objects changed.</summary>
    public bool Apply(ObjectChange change)
    {
        switch (change.Change)
        {
            case ObjectChangeKind.Upsert when change.Object is not null:
                if (Staging(change.Key.Kind) is { } stage)
                {
                    stage[change.Key] = change.Object;
                    return false;
                }
                _objects[change.Key] = change.Object;
                return true;
            case ObjectChangeKind.Delete:
                if (Staging(change.Key.Kind) is { } s)
                {
                    s.Remove(change.Key);
                    return false;
                }
                return _objects.Remove(change.Key);
            case ObjectChangeKind.Reset:
                _staging[change.Kind] = [];
                return false;
            case ObjectChangeKind.Synced:
                var changed = false;
                if (_staging.Remove(change.Kind, out var staged))
                {
                    foreach (var key in _objects.Keys.Where(k => change.Kind.Length == 0 || k.Kind == change.Kind).ToList())
                    {
                        _objects.Remove(key);
                    }
                    foreach (var (k, v) in staged)
                    {
                        _objects[k] = v;
                    }
                    changed = true;
                }
                if (change.Kind.Length == 0)
                {
                    changed |= !Synced || Errors.Count != _pendingErrors.Count || !Errors.SequenceEqual(_pendingErrors);
                    Errors = [.. _pendingErrors];
                    _pendingErrors.Clear();
                    Synced = true;
                }
                return changed;
            case ObjectChangeKind.Error:
                _pendingErrors.Add(change.Error ?? new SourceError(change.Message ?? "unknown error"));
                return false;
            default:
                return false;
        }
    }

    private Dictionary<ObjectKey, JsonObject>? Staging(string kind) =>
        _staging.TryGetValue(kind, out var s) || _staging.TryGetValue("", out s) ? s : null;
}
