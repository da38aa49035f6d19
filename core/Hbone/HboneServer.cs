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
    private int _handshakes;

    /// <summary>TLS handshakes (with the HTTP/2 preface and SETTINGS) in progress now.</summary>
    public int HandshakesInProgress => Volatile.Read(ref _handshakes);

    /// <summary>
    /// Serves an accepted socket until the connection closes or <paramref name="cancellationToken"/> asks for a graceful
    /// drain. Beyond <see cref="HboneServerOptions.MaxHandshakes"/> handshakes in progress the socket is reset at once.
    /// </summary>
    public Task<HboneError> ServeAsync(Socket socket, HboneCredentialSource credential, HboneHandler handler, CancellationToken cancellationToken, HboneAdmission? admission = null)
    {
        if (!TryEnterHandshake())
        {
            socket.LingerState = new LingerOption(true, 0); // RST: the client learns at once, and no TIME_WAIT is left here
            socket.Dispose();
            return Task.FromResult(HboneError.HandshakeLimit);
        }
        socket.NoDelay = true;
        return ServeEnteredAsync(new NetworkStream(socket, ownsSocket: true), socket.RemoteEndPoint, credential, handler, admission, cancellationToken);
    }

    /// <summary>Serves an accepted transport; returns <see cref="HboneError.None"/> after a served connection, or why it was refused or failed.</summary>
    public async Task<HboneError> ServeAsync(Stream transport, EndPoint? remote, HboneCredentialSource credential, HboneHandler handler, CancellationToken cancellationToken, HboneAdmission? admission = null)
    {
        if (!TryEnterHandshake())
        {
            await transport.DisposeAsync();
            return HboneError.HandshakeLimit;
        }
        return await ServeEnteredAsync(transport, remote, credential, handler, admission, cancellationToken);
    }

    private bool TryEnterHandshake()
    {
        if (Interlocked.Increment(ref _handshakes) <= options.MaxHandshakes)
        {
            return true;
        }
        Interlocked.Decrement(ref _handshakes);
        return false;
    }

    private async Task<HboneError> ServeEnteredAsync(Stream transport, EndPoint? remote, HboneCredentialSource credential, HboneHandler handler, HboneAdmission? admission, CancellationToken cancellationToken)
    {
        var inHandshake = true;
        void LeaveHandshake()
        {
            if (inHandshake)
            {
                inHandshake = false;
                Interlocked.Decrement(ref _handshakes);
            }
        }
        var ssl = new SslStream(transport, leaveInnerStreamOpen: false);
        try
        {
            var (error, peer) = await HandshakeAsync(ssl, remote, credential, cancellationToken);
            if (peer is not { } peerId)
            {
                await ssl.DisposeAsync();
                return error;
            }
            using var lease = admission is null ? null : admission(peerId);
            if (admission is not null && lease is null)
            {
                await ssl.DisposeAsync();
                return HboneError.PeerLimit;
            }
            return await ServeHttp2Async(ssl, peerId, remote, handler, cancellationToken, LeaveHandshake);
        }
        catch
        {
            await ssl.DisposeAsync(); // never leave a connection open that nobody serves
            throw;
        }
        finally
        {
            LeaveHandshake();
        }
    }

    /// <summary>
    /// HTTP/2 on a transport whose peer is already authenticated (after TLS; the fuzz target drives it in memory).
    /// <paramref name="started"/> runs once the HTTP/2 preface and SETTINGS are through.
    /// </summary>
    internal async Task<HboneError> ServeHttp2Async(Stream secured, SpiffeId peerId, EndPoint? remote, HboneHandler handler, CancellationToken cancellationToken, Action? started = null)
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
                return handshake.IsCancellationRequested ? HboneError.HandshakeTimeout : HboneError.TlsFailed;
            }
            started?.Invoke();
            using (cancellationToken.Register(() => _ = connection.ShutdownAsync()))
            {
                await connection.Completion;
            }
            await lifetime.CancelAsync();
        }
        return connection.ConnectionError == Http2ErrorCode.EnhanceYourCalm ? HboneError.RapidReset : HboneError.None;
    }

    private async Task<(HboneError Error, SpiffeId? Peer)> HandshakeAsync(SslStream ssl, EndPoint? remote, HboneCredentialSource source, CancellationToken cancellationToken)
    {
        var check = HbonePeerCheck.NoCertificate;
        SpiffeId? peer = null;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.HandshakeTimeout);
        HboneCredential credential;
        try
        {
            // A connection may arrive while the pod's certificate is still being issued (right after a start): it waits
            // for it within the handshake timeout rather than failing.
            credential = await source(timeout.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or InvalidOperationException or IOException or HttpRequestException)
        {
            HboneLog.NoCredential(_logger, remote, e.Message);
            return (e is OperationCanceledException && !cancellationToken.IsCancellationRequested ? HboneError.HandshakeTimeout : HboneError.NoCredential, null);
        }
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
        try
        {
            await ssl.AuthenticateAsServerAsync(tls, timeout.Token);
        }
        catch (Exception e) when (e is AuthenticationException or IOException or OperationCanceledException)
        {
            var error = check != HbonePeerCheck.Trusted && e is AuthenticationException ? HboneError.PeerUntrusted
                : e is OperationCanceledException && !cancellationToken.IsCancellationRequested ? HboneError.HandshakeTimeout
                : HboneError.TlsFailed;
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
        if (stream.IsReset)
        {
            return; // reset by the client before we got to it: nothing is dialled for it (rapid reset)
        }
        // The handler's token also fires when the client resets this stream, so a dial made for it is cancelled.
        using var aborted = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, stream.Aborted);
        try
        {
            await handler(request, aborted.Token);
        }
        finally
        {
            if (!request.IsAnswered && !stream.IsReset)
            {
                request.Refuse(503);
            }
        }
    }
}
