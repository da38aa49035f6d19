using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;

namespace Mesh.Tests.Common;

/// <summary>
/// What kube-apiserver serves beyond whole collections, as far as meshctl needs it: a namespaced list
/// (<c>/api/v1/namespaces/NS/pods</c>) with an equality <c>labelSelector</c> (<c>k=v,k2=v2</c>), and the pod proxy
/// (<c>/api/v1/namespaces/NS/pods/NAME:PORT/proxy/PATH</c>), which GETs <c>http://status.podIP:PORT/PATH</c> and
/// answers 503 with a Status when that does not connect, as the real server does.
/// </summary>
public sealed partial class FakeKubeApiServer
{
    private static readonly Regex PodProxy = new(@"^/api/v1/namespaces/([^/]+)/pods/([^/:]+)(?::(\d+))?/proxy(/.*)?$");
    private static readonly HttpClient ProxyClient = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) };

    private async Task<bool> TryServeFilteredListAsync(HttpContext context, FakeKubeRequest request)
    {
        if (request.Method != "GET" || request.IsWatch || ObjectPath(request.Path) is not var (collection, ns, name, _) || name is not null
            || (ns is null && string.IsNullOrEmpty(request.Get("labelSelector"))))
        {
            return false;
        }
        var selector = (request.Get("labelSelector") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2)).Select(p => (Key: p[0], Value: p.Length > 1 ? p[1] : "")).ToList();
        JsonObject list;
        lock (_lock)
        {
            list = Collection(collection).ListPage(int.MaxValue, null, _resourceVersion);
        }
        var items = list["items"]!.AsArray();
        foreach (var item in items.ToList())
        {
            var meta = item!["metadata"]!;
            var labels = meta["labels"] as JsonObject;
            if ((ns is not null && (string?)meta["namespace"] != ns) || selector.Any(s => (string?)labels?[s.Key] != s.Value))
            {
                items.Remove(item);
            }
        }
        await WriteAnswerAsync(context, 200, list);
        return true;
    }

    private async Task<bool> TryServePodProxyAsync(HttpContext context, FakeKubeRequest request)
    {
        if (PodProxy.Match(request.Path) is not { Success: true } m)
        {
            return false;
        }
        var (ns, name, port, path) = (m.Groups[1].Value, m.Groups[2].Value, m.Groups[3].Success ? m.Groups[3].Value : "80", m.Groups[4].Value);
        if (Get("/api/v1/pods", ns, name) is not { } pod)
        {
            await WriteStatusAsync(context, 404, "NotFound", $"pods \"{name}\" not found");
            return true;
        }
        var ip = (string?)pod["status"]?["podIP"] ?? "";
        try
        {
            using var answer = await ProxyClient.GetAsync($"http://{ip}:{port}{path}", context.RequestAborted);
            context.Response.StatusCode = (int)answer.StatusCode;
            context.Response.ContentType = answer.Content.Headers.ContentType?.ToString() ?? "text/plain";
            await answer.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
        }
        catch (HttpRequestException e)
        {
            await WriteStatusAsync(context, 503, "ServiceUnavailable", $"error trying to reach service: dial tcp {ip}:{port}: {e.Message}");
        }
        return true;
    }
}
