using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Mesh.Tests.Common;

/// <summary>
/// The object side of <see cref="FakeKubeApiServer"/>, for clients that read and write single objects (meshctl):
/// GET /version, and GET, POST (create), PATCH (JSON merge patch, RFC 7386) and DELETE of one object at its REST path
/// (/api/v1/namespaces/NAME, /apis/G/V/namespaces/NS/PLURAL/NAME, /apis/G/V/PLURAL/NAME), answered with the codes and
/// Status bodies kube-apiserver uses (201, 404 NotFound, 409 AlreadyExists, 415). Writes go through
/// <see cref="Upsert"/>/<see cref="Delete"/>, so open watches see them.
/// </summary>
public sealed partial class FakeKubeApiServer
{
    /// <summary>What GET /version reports as gitVersion.</summary>
    public string KubernetesVersion { get; set; } = "v1.31.2";

    /// <summary>The object at (collection, namespace/name) now, or null.</summary>
    public JsonObject? Get(string collectionPath, string? ns, string name)
    {
        lock (_lock)
        {
            return Collection(collectionPath).Objects.GetValueOrDefault(FakeKubeCollection.Key(ns, name))?.DeepClone().AsObject();
        }
    }

    /// <summary>A REST path split into its cluster-wide collection path, namespace and name (null: a collection).</summary>
    internal static (string Collection, string? Namespace, string? Name)? ParseObjectPath(string path)
    {
        var s = path.Split('/');
        var (prefix, rest) = s switch
        {
            ["", "api", var v, .. var r] => ($"/api/{v}", r),
            ["", "apis", var g, var v, .. var r] => ($"/apis/{g}/{v}", r),
            _ => (null, Array.Empty<string>()),
        };
        return prefix is null ? null : rest switch
        {
            ["namespaces", var ns, var plural] => ($"{prefix}/{plural}", ns, null),
            ["namespaces", var ns, var plural, var name] => ($"{prefix}/{plural}", ns, name),
            [var plural, var name] => ($"{prefix}/{plural}", null, name),
            _ => null,
        };
    }

    private async Task<bool> TryServeObjectAsync(HttpContext context, FakeKubeRequest request)
    {
        if (request.Method == "GET" && request.Path is "/version" or "/version/")
        {
            var (major, minor) = (KubernetesVersion.TrimStart('v').Split('.')[0], KubernetesVersion.TrimStart('v').Split('.')[1]);
            await WriteJsonAsync(context, 200, new JsonObject { ["major"] = major, ["minor"] = minor, ["gitVersion"] = KubernetesVersion, ["platform"] = "linux/amd64" });
            return true;
        }
        if (request.IsWatch || ParseObjectPath(request.Path) is not { } parsed)
        {
            return false;
        }
        var (collection, ns, name) = parsed;
        var plural = collection[(collection.LastIndexOf('/') + 1)..];
        switch (request.Method)
        {
            case "GET" when name is not null:
                var found = Get(collection, ns, name);
                await (found is null ? NotFound() : WriteJsonAsync(context, 200, found));
                return true;
            case "POST" when name is null:
                var created = await JsonNode.ParseAsync(context.Request.Body) as JsonObject;
                var metadata = created?["metadata"] as JsonObject;
                if ((string?)metadata?["name"] is not { Length: > 0 } newName)
                {
                    await WriteStatusAsync(context, 422, "Invalid", $"{plural} is invalid: metadata.name: Required value");
                    return true;
                }
                if (ns is not null)
                {
                    metadata!["namespace"] = ns;
                }
                if (Get(collection, ns, newName) is not null)
                {
                    await WriteStatusAsync(context, 409, "AlreadyExists", $"{plural} \"{newName}\" already exists");
                    return true;
                }
                Upsert(collection, created!);
                await WriteJsonAsync(context, 201, Get(collection, ns, newName)!);
                return true;
            case "PATCH" when name is not null:
                if (!context.Request.ContentType?.StartsWith("application/merge-patch+json", StringComparison.Ordinal) ?? true)
                {
                    await WriteStatusAsync(context, 415, "UnsupportedMediaType", $"the body of the request was in an unknown format ({context.Request.ContentType}); this stand-in takes merge patches");
                    return true;
                }
                var current = Get(collection, ns, name);
                if (current is null)
                {
                    await NotFound();
                    return true;
                }
                var patch = await JsonNode.ParseAsync(context.Request.Body);
                var merged = (JsonObject)MergePatch(current, patch)!;
                Upsert(collection, merged);
                await WriteJsonAsync(context, 200, Get(collection, ns, name)!);
                return true;
            case "DELETE" when name is not null:
                var gone = Get(collection, ns, name);
                if (gone is null)
                {
                    await NotFound();
                    return true;
                }
                Delete(collection, ns, name);
                await WriteJsonAsync(context, 200, gone);
                return true;
            default:
                return false;
        }

        Task NotFound() => WriteStatusAsync(context, 404, "NotFound", $"{plural} \"{name}\" not found");
    }

    /// <summary>RFC 7386: objects merge member by member, null removes, anything else replaces.</summary>
    private static JsonNode? MergePatch(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject patchObject)
        {
            return patch?.DeepClone();
        }
        var result = target is JsonObject t ? (JsonObject)t.DeepClone() : new JsonObject();
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

    private static async Task WriteJsonAsync(HttpContext context, int code, JsonObject body)
    {
        context.Response.StatusCode = code;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body.ToJsonString());
    }
}
