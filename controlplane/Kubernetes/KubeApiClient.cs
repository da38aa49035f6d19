using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Mesh.ControlPlane.Kubernetes;

/// <summary>
/// The two API server calls the informers need, over HttpClient: a paginated list and a streaming
/// watch. TLS trusts the config's CA (custom root trust) or the system store; authentication is a
/// bearer token read from <see cref="KubeTokenSource"/> per request, or a client certificate.
/// </summary>
public sealed class KubeApiClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly KubeTokenSource _tokens;
    private readonly TimeProvider _time;

    public KubeApiClient(KubeClientConfig config, TimeProvider? time = null)
    {
        Config = config;
        _time = time ?? TimeProvider.System;
        _tokens = KubeTokenSource.For(config, _time);
        _http = new HttpClient(CreateHandler(config), disposeHandler: true)
        {
            BaseAddress = config.Server,
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    public KubeClientConfig Config { get; }

    /// <summary>Timeout for one list page (a watch is bounded by its own timeoutSeconds instead).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Lists one page of a resource across all namespaces.</summary>
    public async Task<KubeListPage> ListAsync(KubeResource resource, int limit, string? continueToken, CancellationToken cancellationToken)
    {
        var query = $"?limit={limit}";
        if (!string.IsNullOrEmpty(continueToken))
        {
            query += "&continue=" + Uri.EscapeDataString(continueToken);
        }

        using var timeout = new CancellationTokenSource(RequestTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        using var request = CreateRequest(resource.CollectionPath + query);
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token);
        await ThrowIfErrorAsync(response, resource, linked.Token);
        var node = await JsonNode.ParseAsync(await response.Content.ReadAsStreamAsync(linked.Token), cancellationToken: linked.Token);
        if (node is not JsonObject list)
        {
            throw new JsonException($"list of {resource} returned JSON that is not an object");
        }

        var metadata = list["metadata"] as JsonObject;
        var resourceVersion = (string?)metadata?["resourceVersion"] ?? "";
        var next = (string?)metadata?["continue"];
        var items = new List<JsonObject>();
        if (list["items"] is JsonArray array)
        {
            foreach (var item in array)
            {
                if (item is JsonObject obj)
                {
                    items.Add(obj);
                }
            }

            array.Clear(); // detach the items so they can live on in the cache
        }

        return new KubeListPage(items, resourceVersion, string.IsNullOrEmpty(next) ? null : next);
    }

    /// <summary>
    /// Starts a watch from <paramref name="resourceVersion"/> with bookmarks on. Throws
    /// <see cref="KubeApiException"/> (410 when the version is too old) if the server refuses it.
    /// </summary>
    public async Task<KubeWatchStream> WatchAsync(KubeResource resource, string resourceVersion, int timeoutSeconds, CancellationToken cancellationToken)
    {
        var path = $"{resource.CollectionPath}?watch=true&allowWatchBookmarks=true&timeoutSeconds={timeoutSeconds}" +
                   $"&resourceVersion={Uri.EscapeDataString(resourceVersion)}";
        var request = CreateRequest(path);
        HttpResponseMessage? response = null;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            await ThrowIfErrorAsync(response, resource, cancellationToken);
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            var watch = new KubeWatchStream(request, response, stream);
            response = null;
            return watch;
        }
        finally
        {
            if (response is not null)
            {
                response.Dispose();
                request.Dispose();
            }
        }
    }

    public void Dispose() => _http.Dispose();

    private HttpRequestMessage CreateRequest(string pathAndQuery)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, pathAndQuery);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("mesh-controlplane", "1.0"));
        if (_tokens.GetToken() is { Length: > 0 } token)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return request;
    }

    private static async Task ThrowIfErrorAsync(HttpResponseMessage response, KubeResource resource, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        string? reason = null;
        string? message = null;
        try
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            if (JsonNode.Parse(body) is JsonObject status)
            {
                reason = (string?)status["reason"];
                message = (string?)status["message"];
            }
        }
        catch (JsonException)
        {
            // Not a Status object; the HTTP status says enough.
        }

        var hint = response.StatusCode switch
        {
            HttpStatusCode.Unauthorized => " (the token or client certificate was not accepted)",
            HttpStatusCode.Forbidden => $" (grant the control plane's identity list and watch on {resource})",
            HttpStatusCode.NotFound => $" (is the {resource} API installed? Gateway API and the mesh CRDs must be applied)",
            _ => "",
        };
        throw new KubeApiException(response.StatusCode, reason,
            $"{resource}: API server answered {(int)response.StatusCode} {reason ?? response.ReasonPhrase}{hint}: {message}");
    }

    private static SocketsHttpHandler CreateHandler(KubeClientConfig config)
    {
        var handler = new SocketsHttpHandler
        {
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(2),
            ConnectTimeout = TimeSpan.FromSeconds(15),
            AutomaticDecompression = DecompressionMethods.None,
        };
        var ssl = handler.SslOptions;
        if (config.TlsServerName is { Length: > 0 } serverName)
        {
            ssl.TargetHost = serverName;
        }

        if (config.InsecureSkipTlsVerify)
        {
            // The user asked for this in the kubeconfig (insecure-skip-tls-verify: true).
#pragma warning disable CA5359
            ssl.RemoteCertificateValidationCallback = static (_, _, _, _) => true;
#pragma warning restore CA5359
        }
        else if (config.CertificateAuthority is { Count: > 0 } roots)
        {
            var policy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                RevocationMode = X509RevocationMode.NoCheck,
            };
            policy.CustomTrustStore.AddRange(roots);
            ssl.CertificateChainPolicy = policy;
        }

        if (config.ClientCertificate is { } clientCertificate)
        {
            ssl.ClientCertificates = [clientCertificate];
            ssl.LocalCertificateSelectionCallback = (_, _, _, _, _) => clientCertificate;
        }

        return handler;
    }
}
