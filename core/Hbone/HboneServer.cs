using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using Mesh.Core.Identity;
using Mesh.Core.Hbone.Http2;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mesh.Core.Hbone;

/// <summary>
/// Inbound HBONE on one accepted connection: TLS 1.3 only, ALPN h2, a client certificate required and chained to
/// the trust bundle, the peer identity from its SPIFFE SAN; then HTTP/2 with one <see cref="HboneHandler"/> call per
/// CONNECT stream. Non-CONNECT requests get 405, malformed CONNECTs 400.
/// </summary>
public sealed class HboneServer(HboneServerOptions options, ILogger? logger = null)
{
    private readonly ILogger _logger = logger ?? NullLogger.Instance;

    /// <summary>Serves an accepted socket until the connection closes or <paramref name="cancellationToken"/> asks for a graceful drain.</summary>
    public Task<HboneError> ServeAsync(Socket socket, Func<HboneCredential> credential, HboneHandler handler, CancellationToken cancellationToken)
    {
        socket.NoDelay = true;
        return ServeAsync(new NetworkStream(socket, ownsSocket: true), socket.RemoteEndPoint, credential, handler, cancellationToken);
    }

    /// <summary>Serves an accepted transport; returns <see cref="HboneError.None"/> after a served connection, or why the handshake failed.</summary>
    public async Task<HboneError> ServeAsync(Stream transport, EndPoint? remote, Func<HboneCredential> credential, HboneHandler handler, CancellationToken cancellationToken)
    {
        var ssl = new SslStream(transport, leaveInnerStreamOpen: false);
        var (error, peer) = await HandshakeAsync(ssl, remote, credential(), cancellationToken);
        if (peer is not { } peerId)
        {
            await ssl.DisposeAsync();
            return error;
        }
        return await ServeHttp2Async(ssl, peerId, remote, handler, cancellationToken);
    }

    /// <summary>HTTP/2 on a transport whose peer is already authenticated (after TLS; the fuzz target drives it in memory).</summary>
    internal async Task<HboneError> ServeHttp2Async(Stream secured, SpiffeId peerId, EndPoint? remote, HboneHandler handler, CancellationToken cancellationToken)
    {
        // Handlers see a token that fires when the connection is gone, not when a graceful drain starts.
        using var lifetime = new CancellationTokenSource();
        var connection = Http2Connection.CreateServer(secured, options.Http2 with { TimeProvider = options.TimeProvider }, stream => HandleAsync(peerId, remote, stream, handler, lifetime.Token));
        await using (connection)
        {
            using var handshake = new CancellationTokenSource(options.HandshakeTimeout, options.TimeProvider);
            try
            {
                await connection.StartAsync(handshake.Token);
            }
            catch (Exception e)
            {
                HboneLog.ServerSetupFailed(_logger, remote, peerId, e.Message);
                return HboneError.TlsFailed;
            }
            using (cancellationToken.Register(() => _ = connection.ShutdownAsync()))
            {
                await connection.Completion;
            }
            await lifetime.CancelAsync();
        }
        return HboneError.None;
    }

    private async Task<(HboneError Error, SpiffeId? Peer)> HandshakeAsync(SslStream ssl, EndPoint? remote, HboneCredential credential, CancellationToken cancellationToken)
    {
        var check = HbonePeerCheck.NoCertificate;
        SpiffeId? peer = null;
        var tls = new SslServerAuthenticationOptions
        {
            ServerCertificateContext = credential.Context,
            ClientCertificateRequired = true,
            EnabledSslProtocols = SslProtocols.Tls13,
            ApplicationProtocols = [SslApplicationProtocol.Http2],
            CertificateRevocationCheckMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck,
            RemoteCertificateValidationCallback = (_, certificate, chain, _) =>
            {
                check = HboneTrust.Check(certificate, chain, credential.TrustBundle, options.TimeProvider.GetUtcNow(), null, out peer);
                return check == HbonePeerCheck.Trusted;
            },
        };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.HandshakeTimeout);
        try
        {
            await ssl.AuthenticateAsServerAsync(tls, timeout.Token);
        }
        catch (Exception e) when (e is AuthenticationException or IOException or OperationCanceledException)
        {
            var error = check != HbonePeerCheck.Trusted && e is AuthenticationException ? HboneError.PeerUntrusted : HboneError.TlsFailed;
            HboneLog.HandshakeFailed(_logger, remote, check, e.Message);
            return (error, null);
        }
        if (ssl.NegotiatedApplicationProtocol != SslApplicationProtocol.Http2)
        {
            HboneLog.HandshakeFailed(_logger, remote, check, "the client did not negotiate ALPN h2");
            return (HboneError.TlsFailed, null);
        }
        return (HboneError.None, peer);
    }

    private async Task HandleAsync(SpiffeId peer, EndPoint? remote, Http2Stream stream, HboneHandler handler, CancellationToken cancellationToken)
    {
        var request = HboneInboundRequest.Parse(peer, remote, stream, out var status);
        if (request is null)
        {
            HboneLog.BadRequest(_logger, peer, status);
            stream.SendHeaders([new(":status", status.ToString(System.Globalization.CultureInfo.InvariantCulture))], endStream: true);
            return;
        }
        try
        {
            await handler(request, cancellationToken);
        }
        finally
        {
            if (!request.IsAnswered)
            {
                request.Refuse(503);
            }
        }
    }
}
