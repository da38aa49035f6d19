using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Mesh.Tests.Common;

/// <summary>
/// The object side of <see cref="FakeKubeApiServer"/>, for the control plane's writers (the waypoint controller,
/// the leader election's Lease) and meshctl: GET /version, and GET, POST (create: 409 when it exists, 422 without a
/// name), PUT (replace: 409 on a stale resourceVersion, the optimistic concurrency leader election relies on), PATCH
/// (server-side apply; JSON merge patch, RFC 7386, of an object or its status subresource; 415 for other patch types)
/// and DELETE of one object, namespaced or cluster-scoped (a Namespace), as kube-apiserver answers them. The
/// server assigns uid, creationTimestamp, generation (bumped when spec changes) and a Service's cluster IP; an
/// apply that changes nothing writes nothing (no new resourceVersion, no watch event), as with the real server.
/// Simplification: apply replaces the applied top-level fields (spec, data) instead of tracking field managers,
/// and keeps the fields the server assigned. Deleting an object also deletes, at once, every object whose
/// ownerReferences name its uid, and an object created with owners none of which exist (kube-controller-manager's
/// garbage collector, done here synchronously).
/// </summary>
public sealed partial class FakeKubeApiServer
{
    private long _uids;
    private int _clusterIps;

    /// <summary>What GET /version reports as gitVersion.</summary>
    public string KubernetesVersion { get; set; } = "v1.31.2";

    /// <summary>The object at namespace/name of a collection, or null (a copy).</summary>
    public JsonObject? Get(string collectionPath, string? ns, string name)
    {
        lock (_lock)
        {
            return Collection(collectionPath).Objects.GetValueOrDefault(FakeKubeCollection.Key(ns, name))?.DeepClone().AsObject();
        }
    }

    /// <summary>
    /// ".../namespaces/NS/PLURAL[/NAME[/status]]" or a cluster-scoped ".../PLURAL/NAME[/status]" -> (collection path,
    /// namespace or null, name or null for the collection, status subresource).
    /// </summary>
    internal static (string Collection, string? Namespace, string? Name, bool Status)? ObjectPath(string path)
    {
        var parts = path.Split('/');
        var (prefix, rest) = parts switch
        {
            ["", "api", var v, .. var r] => ($"/api/{v}", r),
            ["", "apis", var g, var v, .. var r] => ($"/apis/{g}/{v}", r),
            _ => (null, Array.Empty<string>()),
        };
        return prefix is null ? null : rest switch
        {
            ["namespaces", var ns, var plural] => ($"{prefix}/{plural}", ns, null, false),
            ["namespaces", var ns, var plural, var name] => ($"{prefix}/{plural}", ns, name, false),
            ["namespaces", var ns, var plural, var name, "status"] => ($"{prefix}/{plural}", ns, name, true),
            [var plural, var name] => ($"{prefix}/{plural}", null, name, false),
            [var plural, var name, "status"] => ($"{prefix}/{plural}", null, name, true),
            _ => null,
        };
    }

    private async Task<bool> TryServeObjectAsync(HttpContext context, FakeKubeRequest request)
    {
        if (request.Method == "GET" && request.Path is "/version" or "/version/")
        {
            var parts = KubernetesVersion.TrimStart('v').Split('.');
            await WriteAnswerAsync(context, 200, new JsonObject { ["major"] = parts[0], ["minor"] = parts[1], ["gitVersion"] = KubernetesVersion, ["platform"] = "linux/amd64" });
            return true;
        }
        if (request.IsWatch || ObjectPath(request.Path) is not var (collection, ns, name, status) || (request.Method == "GET" && name is null))
        {
            return false;
        }
        var body = request.Method is "POST" or "PUT" or "PATCH" ? await JsonNode.ParseAsync(context.Request.Body) as JsonObject : null;
        var type = context.Request.ContentType ?? "";
        var (code, answer) = request.Method switch
        {
            "GET" => Read(collection, ns, name!),
            "POST" when name is null && body is not null => Create(collection, ns, body),
            "PUT" when name is not null && body is not null => Replace(collection, ns, name, body),
            "PATCH" when name is not null && body is not null && type.StartsWith("application/apply-patch", StringComparison.Ordinal) => Apply(collection, ns, name, body),
            "PATCH" when name is not null && body is not null && type.StartsWith("application/merge-patch+json", StringComparison.Ordinal) =>
                status ? PatchStatus(collection, ns, name, body) : PatchObject(collection, ns, name, body),
            "PATCH" => (415, StatusObject(415, "UnsupportedMediaType", $"the body of the request was in an unknown format ({type}); this stand-in takes merge patches and server-side apply")),
            "DELETE" when name is not null => DeleteObject(collection, ns, name),
            _ => (405, StatusObject(405, "MethodNotAllowed", $"{request.Method} {request.Path} ({type}) is not served by the stand-in")),
        };
        await WriteAnswerAsync(context, code, answer);
        return true;
    }

    private static async Task WriteAnswerAsync(HttpContext context, int code, JsonObject answer)
    {
        context.Response.StatusCode = code;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(answer.ToJsonString());
    }

    /// <summary>A JSON merge patch of the whole object (meshctl's label changes).</summary>
    private (int, JsonObject) PatchObject(string collection, string? ns, string name, JsonObject patch)
    {
        lock (_lock)
        {
            if (Collection(collection).Objects.GetValueOrDefault(FakeKubeCollection.Key(ns, name)) is not { } old)
            {
                return NotFound(collection, name);
            }
            var merged = (JsonObject)MergePatch(old, patch)!;
            KeepServerFields(old, merged);
            return (200, Store(collection, merged));
        }
    }

    private (int, JsonObject) Read(string collection, string? ns, string name) =>
        Get(collection, ns, name) is { } obj ? (200, obj) : NotFound(collection, name);

    private (int, JsonObject) Create(string collection, string? ns, JsonObject obj)
    {
        lock (_lock)
        {
            var name = (string?)obj["metadata"]?["name"] ?? "";
            if (name.Length == 0)
            {
                return (422, StatusObject(422, "Invalid", $"{FakeKubeCollection.PluralOf(collection)} is invalid: metadata.name: Required value"));
            }
            if (Collection(collection).Objects.ContainsKey(FakeKubeCollection.Key(ns, name)))
            {
                return (409, StatusObject(409, "AlreadyExists", $"{FakeKubeCollection.PluralOf(collection)} \"{name}\" already exists"));
            }
            return (201, StoreNew(collection, ns, obj));
        }
    }

    private (int, JsonObject) Replace(string collection, string? ns, string name, JsonObject obj)
    {
        lock (_lock)
        {
            if (Collection(collection).Objects.GetValueOrDefault(FakeKubeCollection.Key(ns, name)) is not { } old)
            {
                return NotFound(collection, name);
            }
            var sent = (string?)obj["metadata"]?["resourceVersion"];
            if (!string.IsNullOrEmpty(sent) && sent != (string?)old["metadata"]!["resourceVersion"])
            {
                return (409, StatusObject(409, "Conflict",
                    $"Operation cannot be fulfilled on {FakeKubeCollection.PluralOf(collection)} \"{name}\": the object has been modified; please apply your changes to the latest version and try again"));
            }
            var copy = obj.DeepClone().AsObject();
            var meta = (JsonObject)copy["metadata"]!;
            KeepServerFields(old, copy);
            if (!JsonNode.DeepEquals(old["spec"], copy["spec"]))
            {
                meta["generation"] = Generation(old) + 1;
            }
            return (200, Store(collection, copy));
        }
    }

    private (int, JsonObject) Apply(string collection, string? ns, string name, JsonObject applied)
    {
        lock (_lock)
        {
            if (Collection(collection).Objects.GetValueOrDefault(FakeKubeCollection.Key(ns, name)) is not { } old)
            {
                return (201, StoreNew(collection, ns, applied));
            }
            var merged = old.DeepClone().AsObject();
            foreach (var (key, value) in applied)
            {
                if (key == "metadata")
                {
                    foreach (var field in new[] { "labels", "annotations", "ownerReferences" })
                    {
                        if ((value as JsonObject)?[field] is { } v)
                        {
                            merged["metadata"]![field] = v.DeepClone();
                        }
                    }
                }
                else if (key != "status")
                {
                    merged[key] = value?.DeepClone();
                }
            }
            KeepServerFields(old, merged);
            if (JsonNode.DeepEquals(old, merged))
            {
                return (200, old.DeepClone().AsObject());
            }
            if (!JsonNode.DeepEquals(old["spec"], merged["spec"]))
            {
                merged["metadata"]!["generation"] = Generation(old) + 1;
            }
            return (200, Store(collection, merged));
        }
    }

    /// <summary>RFC 7386 merge patch of the status subresource: only status changes, generation does not.</summary>
    private (int, JsonObject) PatchStatus(string collection, string? ns, string name, JsonObject patch)
    {
        lock (_lock)
        {
            if (Collection(collection).Objects.GetValueOrDefault(FakeKubeCollection.Key(ns, name)) is not { } old)
            {
                return NotFound(collection, name);
            }
            var merged = old.DeepClone().AsObject();
            merged["status"] = MergePatch(merged["status"], patch["status"]);
            return JsonNode.DeepEquals(old, merged) ? (200, old.DeepClone().AsObject()) : (200, Store(collection, merged));
        }
    }

    private (int, JsonObject) DeleteObject(string collection, string? ns, string name)
    {
        lock (_lock)
        {
            if (!Collection(collection).Objects.ContainsKey(FakeKubeCollection.Key(ns, name)))
            {
                return NotFound(collection, name);
            }
            Delete(collection, ns, name);
            return (200, new JsonObject { ["kind"] = "Status", ["apiVersion"] = "v1", ["status"] = "Success" });
        }
    }

    /// <summary>Deletes, at once, what the object with <paramref name="uid"/> owned (and what those owned). Under the lock.</summary>
    private void CollectGarbage(string? uid)
    {
        if (uid is null)
        {
            return;
        }
        var owned = _collections.Values.SelectMany(c => c.Objects.Values.Select(o => (c.Path, Object: o)))
            .Where(p => ((p.Object["metadata"] as JsonObject)?["ownerReferences"] as JsonArray ?? []).OfType<JsonObject>().Any(r => (string?)r["uid"] == uid))
            .ToList();
        foreach (var (path, obj) in owned)
        {
            Delete(path, (string?)obj["metadata"]!["namespace"], (string)obj["metadata"]!["name"]!);
        }
    }

    private JsonObject StoreNew(string collection, string? ns, JsonObject obj)
    {
        var copy = obj.DeepClone().AsObject();
        var meta = copy["metadata"] as JsonObject ?? new JsonObject();
        copy["metadata"] = meta;
        if (ns is not null)
        {
            meta["namespace"] = ns;
        }
        meta["uid"] = $"{Guid.NewGuid():D}"[..24] + (++_uids).ToString("D12");
        meta["creationTimestamp"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'");
        meta["generation"] = 1L;
        if (collection == "/api/v1/services" && copy["spec"] is JsonObject spec && spec["clusterIP"] is null)
        {
            // kube-apiserver's allocator; the address is only a value in the object here, nothing is sent to it.
            var ip = $"10.96.0.{10 + ++_clusterIps}";
            spec["clusterIP"] = ip;
            spec["clusterIPs"] = new JsonArray(ip);
        }
        var stored = Store(collection, copy);
        var owners = ((JsonArray?)meta["ownerReferences"] ?? []).OfType<JsonObject>().Select(r => (string?)r["uid"]).ToList();
        if (owners.Count > 0 && !owners.Any(uid => _collections.Values.Any(c => c.Objects.Values.Any(o => (string?)o["metadata"]?["uid"] == uid))))
        {
            // Created for an owner that is already gone (a writer that had not seen the deletion yet): the garbage collector removes it.
            Delete(collection, ns, (string)meta["name"]!);
        }
        return stored;
    }

    private JsonObject Store(string collection, JsonObject obj)
    {
        var rv = ++_resourceVersion;
        obj["metadata"]!["resourceVersion"] = rv.ToString();
        Collection(collection).Record(rv, obj, deleted: false);
        return obj.DeepClone().AsObject();
    }

    /// <summary>What the server owns survives a replace or an apply: identity, timestamps, status, a Service's cluster IP.</summary>
    private static void KeepServerFields(JsonObject old, JsonObject updated)
    {
        var oldMeta = (JsonObject)old["metadata"]!;
        var meta = (JsonObject)updated["metadata"]!;
        foreach (var field in new[] { "uid", "creationTimestamp", "generation", "resourceVersion", "namespace" })
        {
            meta[field] = oldMeta[field]?.DeepClone();
        }
        if (old["status"] is { } status && updated["status"] is null)
        {
            updated["status"] = status.DeepClone();
        }
        if (old["spec"] is JsonObject oldSpec && updated["spec"] is JsonObject spec)
        {
            foreach (var field in new[] { "clusterIP", "clusterIPs" })
            {
                if (oldSpec[field] is { } v && spec[field] is null)
                {
                    spec[field] = v.DeepClone();
                }
            }
        }
    }

    private static long Generation(JsonObject obj) =>
        long.TryParse(obj["metadata"]?["generation"]?.ToJsonString(), out var g) ? g : 1;

    private static JsonNode? MergePatch(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject patchObject)
        {
            return patch?.DeepClone();
        }
        var result = target as JsonObject is { } t ? t.DeepClone().AsObject() : new JsonObject();
        foreach (var (key, value) in patchObject)
        {
            if (value is null)
            {
                result.Remove(key);
            }
            else
            {
                result[key] = MergePatch(result[key], value);
            }
        }
        return result;
    }

    private static (int, JsonObject) NotFound(string collection, string name) =>
        (404, StatusObject(404, "NotFound", $"{FakeKubeCollection.PluralOf(collection)} \"{name}\" not found"));
}
