using System.Net;
using System.Net.Http;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

namespace Mesh.Core.Identity;

/// <summary>
/// The HttpClient both control plane clients use: HTTP/2 only over TLS, the server validated against the
/// mesh trust bundle (not the system store) and, if configured, its SPIFFE id; HTTP/2 PINGs detect a dead
/// peer; the node token sent as a bearer token.
/// </summary>
public static class ControlPlaneHttp
{
    public static HttpClient CreateClient(ControlPlaneClientOptions options, TimeSpan? timeout = null)
    {
        var bundle = new TrustBundleFile(options.TrustBundleFile);
        var handler = new SocketsHttpHandler
        {
            KeepAlivePingDelay = TimeSpan.FromSeconds(10),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(10),
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(5),
            SslOptions = new SslClientAuthenticationOptions
            {
                ApplicationProtocols = [SslApplicationProtocol.Http2],
                RemoteCertificateValidationCallback = (_, cert, chain, _) =>
                    cert is not null && TrustBundleFile.Validate(X509CertificateLoader.LoadCertificate(cert.GetRawCertData()), options.Anchors?.ControlPlaneRoots() ?? bundle.Roots,
                        chain?.ChainPolicy.ExtraStore, options.ServerIdentity, out _),
            },
        };
        if (options.ConnectCallback is not null)
        {
            handler.ConnectCallback = options.ConnectCallback;
        }
        return new HttpClient(handler)
        {
            BaseAddress = options.Address,
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = timeout ?? Timeout.InfiniteTimeSpan,
        };
    }

    /// <summary>The bearer token: <see cref="ControlPlaneClientOptions.Token"/>, else read from the token file now.</summary>
    public static string ReadToken(ControlPlaneClientOptions options)
    {
        if (options.Token is { Length: > 0 } t)
        {
            return t;
        }
        if (options.TokenFile is null)
        {
            throw new InvalidOperationException("no node token: set Token or TokenFile");
        }
        var text = File.ReadAllText(options.TokenFile).Trim();
        if (!text.StartsWith('{'))
        {
            return text;
        }
        var map = JsonSerializer.Deserialize(text, CaJsonContext.Default.DictionaryStringString) ?? [];
        return options.Node is not null && map.TryGetValue(options.Node, out var token)
            ? token
            : throw new InvalidOperationException($"token file '{options.TokenFile}' has no entry for node '{options.Node}'");
    }
}
