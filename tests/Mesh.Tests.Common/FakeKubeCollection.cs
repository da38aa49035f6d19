using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http;

namespace Mesh.Tests.Common;

/// <summary>One resource collection of the <see cref="FakeKubeApiServer"/>: objects, event log and open watches. Guarded by the server's lock.</summary>
internal sealed class FakeKubeCollection(string path)
{
    public string Path { get; } = path;

    public SortedDictionary<string, JsonObject> Objects { get; } = new(StringComparer.Ordinal);

    public List<(long ResourceVersion, string Line)> Log { get; } = [];

    public List<Watcher> Watchers { get; } = [];

    public int WatchesAccepted { get; private set; }

    public static string Key(string? ns, string name) => string.IsNullOrEmpty(ns) ? name : $"{ns}/{name}";

    /// <summary>"/apis/apps/v1/deployments" -> "deployments" (with the group, as kube-apiserver names a resource in messages).</summary>
    public static string PluralOf(string path)
    {
        var parts = path.Split('/');
        return parts is ["", "apis", var g, _, var plural] ? $"{plural}.{g}" : parts[^1];
    }

    /// <summary>"/api/v1/pods" -> "Pod"-ish kind name for list and bookmark objects.</summary>
    public static string KindOf(string path)
    {
        var plural = path[(path.LastIndexOf('/') + 1)..];
        var singular = plural.EndsWith("ies", StringComparison.Ordinal) ? plural[..^3] + "y"
            : plural.EndsWith("sses", StringComparison.Ordinal) ? plural[..^2]
            : plural.TrimEnd('s');
        return char.ToUpperInvariant(singular[0]) + singular[1..];
    }

    public void Record(long rv, JsonObject obj, bool deleted)
    {
        var metadata = (JsonObject)obj["metadata"]!;
        var key = Key((string?)metadata["namespace"], (string?)metadata["name"] ?? "");
        var type = deleted ? "DELETED" : Objects.ContainsKey(key) ? "MODIFIED" : "ADDED";
        if (deleted)
        {
            Objects.Remove(key);
        }
        else
        {
            Objects[key] = obj;
        }

        var line = new JsonObject { ["type"] = type, ["object"] = obj.DeepClone() }.ToJsonString();
        Log.Add((rv, line));
        Broadcast(line);
    }

    public void Broadcast(string line)
    {
        foreach (var watcher in Watchers)
        {
            watcher.Lines.Writer.TryWrite(line);
        }
    }

    /// <summary>Registers a watch and queues the logged events after <paramref name="after"/>.</summary>
    public Watcher Watch(HttpContext context, long after)
    {
        var watcher = new Watcher(context, Channel.CreateUnbounded<string>());
        foreach (var (rv, line) in Log.Where(e => e.ResourceVersion > after))
        {
            watcher.Lines.Writer.TryWrite(line);
        }

        Watchers.Add(watcher);
        WatchesAccepted++;
        return watcher;
    }

    /// <summary>One page in key order; the continue token carries the offset and the list's resourceVersion.</summary>
    public JsonObject ListPage(int limit, string? continueToken, long currentVersion)
    {
        var offset = 0;
        var listVersion = currentVersion;
        if (!string.IsNullOrEmpty(continueToken))
        {
            var parts = Encoding.UTF8.GetString(Convert.FromBase64String(continueToken)).Split(':');
            listVersion = long.Parse(parts[0]);
            offset = int.Parse(parts[1]);
        }

        var items = new JsonArray();
        foreach (var obj in Objects.Values.Skip(offset).Take(limit))
        {
            var copy = (JsonObject)obj.DeepClone();
            copy.Remove("kind"); // like the real server, list items carry no kind/apiVersion
            copy.Remove("apiVersion");
            items.Add(copy);
        }

        var metadata = new JsonObject { ["resourceVersion"] = listVersion.ToString() };
        if ((long)offset + limit < Objects.Count)
        {
            metadata["continue"] = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{listVersion}:{offset + limit}"));
        }

        return new JsonObject { ["kind"] = KindOf(Path) + "List", ["apiVersion"] = "v1", ["metadata"] = metadata, ["items"] = items };
    }

    public sealed record Watcher(HttpContext Context, Channel<string> Lines);
}
