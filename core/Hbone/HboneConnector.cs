using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using Mesh.Core.Hbone.Http2;

namespace Mesh.Core.Hbone;

/// <summary>Opens one client HTTP/2 connection for HBONE: TCP, TLS 1.3 with ALPN h2 and the source's certificate, the server's identity checked, SETTINGS exchanged.</summary>
internal static class HboneConnector
{
    public static async Task<(Http2Connection? Connection, HboneError Error, string? Detail)> ConnectAsync(
        HboneConnectRequest request, HboneClientOptions options)
    {
        using var timeout = new CancellationTokenSource(options.ConnectTimeout, options.TimeProvider);
        Socket socket;
        try
        {
            socket = await options.SocketFactory(request.HboneAddress, request.SourceAddress, timeout.Token);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or IOException)
        {
            return timeout.IsCancellationRequested ? TimedOut(options, "TCP connect") : (null, HboneError.ConnectFailed, e.Message);
        }
        var ssl = new SslStream(new NetworkStream(socket, ownsSocket: true), leaveInnerStreamOpen: false);
        var check = HbonePeerCheck.NoCertificate;
        var tls = new SslClientAuthenticationOptions
        {
            TargetHost = string.Empty,
            EnabledSslProtocols = SslProtocols.Tls13,
            ApplicationProtocols = [SslApplicationProtocol.Http2],
            ClientCertificateContext = request.Source.Context,
            CertificateRevocationCheckMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck,
            RemoteCertificateValidationCallback = (_, certificate, chain, _) =>
            {
                check = HboneTrust.Check(certificate, chain, request.Source.TrustBundle, options.TimeProvider.GetUtcNow(), request.DestinationIdentity, out _);
                return check == HbonePeerCheck.Trusted;
            },
        };
        try
        {
            await ssl.AuthenticateAsClientAsync(tls, timeout.Token);
        }
        catch (Exception e) when (e is AuthenticationException or IOException or OperationCanceledException)
        {
            await ssl.DisposeAsync();
            if (timeout.IsCancellationRequested)
            {
                return TimedOut(options, "TLS handshake");
            }
            return check switch
            {
                HbonePeerCheck.Trusted => (null, HboneError.TlsFailed, e.Message),
                HbonePeerCheck.IdentityMismatch => (null, HboneError.PeerIdentityMismatch, $"expected {request.DestinationIdentity}"),
                HbonePeerCheck.NoCertificate when e is not AuthenticationException => (null, HboneError.TlsFailed, e.Message),
                _ => (null, HboneError.PeerUntrusted, check.ToString()),
            };
        }
        if (ssl.NegotiatedApplicationProtocol != SslApplicationProtocol.Http2)
        {
            await ssl.DisposeAsync();
            return (null, HboneError.TlsFailed, "the peer did not negotiate ALPN h2");
        }
        var connection = Http2Connection.CreateClient(ssl, options.Http2 with { TimeProvider = options.TimeProvider });
        try
        {
            await connection.StartAsync(timeout.Token);
        }
        catch (Exception e)
        {
            await connection.DisposeAsync();
            if (timeout.IsCancellationRequested)
            {
                return TimedOut(options, "the peer's SETTINGS");
            }
            // In TLS 1.3 the server checks our certificate after our handshake ends: a rejection shows up here.
            return (null, HboneError.TlsFailed, $"connection closed during HTTP/2 setup: {e.Message}");
        }
        return (connection, HboneError.None, null);
    }

    private static (Http2Connection?, HboneError, string?) TimedOut(HboneClientOptions options, string step) =>
        (null, HboneError.ConnectTimeout, $"{step} did not finish within {(long)options.ConnectTimeout.TotalMilliseconds} ms");
}
