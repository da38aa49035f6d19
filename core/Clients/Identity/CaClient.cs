using System.Collections.Immutable;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

namespace Mesh.Core.Identity;

/// <summary>
/// <see cref="ICertificateAuthorityClient"/> over HTTP/2 TLS to the control plane CA
/// (<c>POST /mesh.ca.v1/sign</c>, see <see cref="CaWire"/>). Refusals throw <see cref="CaClientException"/>
/// with the CA's code and message; the returned leaf is checked to chain to the returned trust bundle and
/// to carry the identity asked for.
/// </summary>
public sealed class CaClient : ICertificateAuthorityClient, IDisposable
{
    private readonly ControlPlaneClientOptions _options;
    private readonly HttpClient _http;

    public CaClient(ControlPlaneClientOptions options)
    {
        _options = options;
        _http = ControlPlaneHttp.CreateClient(options, TimeSpan.FromSeconds(30));
    }

    public async Task<IssuedCertificate> SignAsync(SpiffeId identity, byte[] csrDer, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, CaWire.SignPath)
        {
            Version = System.Net.HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = JsonContent.Create(new CaSignRequest(identity.ToString(), PemEncoding.WriteString("CERTIFICATE REQUEST", csrDer)),
                CaJsonContext.Default.CaSignRequest),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ControlPlaneHttp.ReadToken(_options));
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new CaClientException("unavailable", $"cannot reach the CA at {_options.Address}: {e.Message}", e);
        }
        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                CaErrorResponse? error = null;
                try
                {
                    error = await response.Content.ReadFromJsonAsync(CaJsonContext.Default.CaErrorResponse, cancellationToken);
                }
                catch (JsonException)
                {
                }
                throw new CaClientException(error?.Error ?? "unavailable",
                    $"the CA refused {identity}: {error?.Message ?? $"HTTP {(int)response.StatusCode}"}");
            }
            var body = await response.Content.ReadFromJsonAsync(CaJsonContext.Default.CaSignResponse, cancellationToken)
                ?? throw new CaClientException("unavailable", "the CA sent an empty response");
            return ToIssued(body, identity);
        }
    }

    /// <summary>Parses and checks a CA response (public for tests and other transports).</summary>
    public static IssuedCertificate ToIssued(CaSignResponse body, SpiffeId identity)
    {
        var leaf = X509Certificate2.CreateFromPem(body.Certificate);
        ImmutableArray<X509Certificate2> chain = [.. body.Chain.Select(p => X509Certificate2.CreateFromPem(p))];
        ImmutableArray<X509Certificate2> bundle = [.. body.TrustBundle.Select(p => X509Certificate2.CreateFromPem(p))];
        var roots = new X509Certificate2Collection(bundle.ToArray());
        if (!TrustBundleFile.Validate(leaf, roots, chain, identity, out var problem))
        {
            throw new CaClientException("bad-response", $"the CA returned an unusable certificate for {identity}: {problem}");
        }
        return new IssuedCertificate(leaf, chain, bundle);
    }

    public void Dispose() => _http.Dispose();
}
