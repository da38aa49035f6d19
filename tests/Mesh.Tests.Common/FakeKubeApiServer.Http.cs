using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Mesh.Tests.Common;

/// <summary>The HTTP side of <see cref="FakeKubeApiServer"/>: client authentication, list, watch and Status answers.</summary>
public sealed partial class FakeKubeApiServer
{
    private async Task HandleAsync(HttpContext context)
    {
        var query = context.Request.Query.ToDictionary(q => q.Key, q => q.Value.ToString(), StringComparer.Ordinal);
        var user = Authenticate(context);
        var request = new FakeKubeRequest(context.Request.Method, context.Request.Path.Value ?? "", query, user);
        _requests.Enqueue(request);
        if (user is null)
        {
            await WriteStatusAsync(context, 401, "Unauthorized", "no valid bearer token or client certificate");
            return;
        }

        bool served;
        lock (_lock)
        {
            served = !_notServed.Contains(request.Path);
        }

        if (!served)
        {
            await WriteStatusAsync(context, 404, "NotFound", "the server could not find the requested resource");
            return;
        }

        if (await TryServeAuthAsync(context, request) || await TryServePodProxyAsync(context, request) || await TryServeFilteredListAsync(context, request)
            || await TryServeObjectAsync(context, request))
        {
            return;
        }

        if (request.IsWatch)
        {
            await WatchAsync(context, request);
        }
        else
        {
            await ListAsync(context, request);
        }
    }

    private string? Authenticate(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (header == "Bearer " + Token)
        {
            return "token";
        }

        var certificate = context.Connection.ClientCertificate;
        return certificate is not null && Certificates.Validates(certificate) ? certificate.GetNameInfo(System.Security.Cryptography.X509Certificates.X509NameType.SimpleName, false) : null;
    }

    private async Task ListAsync(HttpContext context, FakeKubeRequest request)
    {
        JsonObject list;
        lock (_lock)
        {
            list = Collection(request.Path).ListPage(
                int.TryParse(request.Get("limit"), out var limit) && limit > 0 ? limit : int.MaxValue,
                request.Get("continue"),
                _resourceVersion);
        }

        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(list.ToJsonString());
    }

    private async Task WatchAsync(HttpContext context, FakeKubeRequest request)
    {
        Task gate;
        lock (_lock)
        {
            gate = _watchGate.Task;
        }

        await gate.WaitAsync(context.RequestAborted);
        var from = long.TryParse(request.Get("resourceVersion"), out var rv) ? rv : 0;
        FakeKubeCollection.Watcher? watcher = null;
        var gone = false;
        lock (_lock)
        {
            if (from < _compactedBelow)
            {
                gone = true;
            }
            else
            {
                watcher = Collection(request.Path).Watch(context, ReplayRequestedVersion ? from - 1 : from);
            }
        }

        if (gone && !GoneAsErrorEvent)
        {
            await WriteStatusAsync(context, 410, "Expired", $"too old resource version: {from} ({_compactedBelow})");
            return;
        }

        context.Response.ContentType = "application/json";
        await context.Response.StartAsync();
        if (gone)
        {
            await context.Response.WriteAsync(GoneEventLine() + "\n");
            return;
        }

        var timeout = int.TryParse(request.Get("timeoutSeconds"), out var seconds) ? TimeSpan.FromSeconds(seconds) : TimeSpan.FromMinutes(30);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        cts.CancelAfter(timeout);
        try
        {
            await foreach (var line in watcher!.Lines.Reader.ReadAllAsync(cts.Token))
            {
                await context.Response.WriteAsync(line + "\n", cts.Token);
                await context.Response.Body.FlushAsync(cts.Token);
            }
        }
        catch (OperationCanceledException)
        {
            // Client gone, dropped by the test, or timeoutSeconds reached.
        }
        finally
        {
            lock (_lock)
            {
                Collection(request.Path).Watchers.Remove(watcher!);
            }
        }
    }

    private static string BookmarkLine(string path, long rv) =>
        new JsonObject
        {
            ["type"] = "BOOKMARK",
            ["object"] = new JsonObject { ["kind"] = FakeKubeCollection.KindOf(path), ["metadata"] = new JsonObject { ["resourceVersion"] = rv.ToString() } },
        }.ToJsonString();

    private static string GoneEventLine() =>
        new JsonObject
        {
            ["type"] = "ERROR",
            ["object"] = StatusObject(410, "Expired", "too old resource version"),
        }.ToJsonString();

    private static JsonObject StatusObject(int code, string reason, string message) =>
        new() { ["kind"] = "Status", ["apiVersion"] = "v1", ["status"] = "Failure", ["message"] = message, ["reason"] = reason, ["code"] = code };

    private static async Task WriteStatusAsync(HttpContext context, int code, string reason, string message)
    {
        context.Response.StatusCode = code;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(StatusObject(code, reason, message).ToJsonString(), Encoding.UTF8);
    }
}
