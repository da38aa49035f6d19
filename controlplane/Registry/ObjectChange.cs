using System.Text.Json.Nodes;

namespace Mesh.ControlPlane.Registry;

public enum ObjectChangeKind
{
    /// <summary>The object was added or modified; <see cref="ObjectChange.Object"/> is its full JSON.</summary>
    Upsert,
    /// <summary>The object is gone.</summary>
    Delete,
    /// <summary>
    /// Forget what this source sent for <see cref="ObjectChange.Kind"/> ("" = every kind): a full list
    /// follows, ended by <see cref="Synced"/> for the same kind. The registry keeps publishing the old
    /// objects until then, so a relist never shows an empty cluster.
    /// </summary>
    Reset,
    /// <summary>
    /// Everything the source holds for <see cref="ObjectChange.Kind"/> ("" = every kind) has been sent
    /// (initial list, relist or rescan done). The registry publishes nothing before each source has
    /// sent Synced for "".
    /// </summary>
    Synced,
    /// <summary>The source could not read something (a malformed file); <see cref="ObjectChange.Error"/> says what and
    /// where. Errors are shown in the status until the source's next Synced.</summary>
    Error,
}

/// <summary>One event of an <see cref="IObjectSource"/>.</summary>
public sealed record ObjectChange(ObjectChangeKind Change, ObjectKey Key, JsonObject? Object = null, string? Message = null,
    SourceError? Error = null)
{
    /// <summary>For Reset and Synced: the kind concerned ("" = all).</summary>
    public string Kind => Key.Kind;

    public static ObjectChange Upsert(ObjectKey key, JsonObject obj) => new(ObjectChangeKind.Upsert, key, obj);
    public static ObjectChange Delete(ObjectKey key) => new(ObjectChangeKind.Delete, key);
    public static ObjectChange Reset(string kind = "") => new(ObjectChangeKind.Reset, new ObjectKey("", kind, "", ""));
    public static ObjectChange Synced(string kind = "") => new(ObjectChangeKind.Synced, new ObjectKey("", kind, "", ""));
    public static ObjectChange Failed(string message) => Failed(new SourceError(message));
    public static ObjectChange Failed(SourceError error) => new(ObjectChangeKind.Error, default, null, error.Message, error);
}
