using System.Net;
using System.Net.Sockets;
using Mesh.Core.Net;
using Mesh.Ztunnel.Redirection;
using Microsoft.Extensions.Logging;

namespace Mesh.Ztunnel.Proxy;

/// <summary>
/// Inbound plaintext: accepts what TC steered to the pod's 15006 listener (the accepted socket's
/// local endpoint is the original destination), dials the app from a socket in the pod's namespace
/// bound to the client's address (<see cref="PodSocketFactory.CreateToApp"/>) and relays. Policy (STRICT refuses plaintext) plugs in before the dial.
/// </summary>
public sealed class PassthroughInbound
{
    private readonly PodSocketFactory _sockets;
    private readonly ILogger _logger;

    /// <summary>Bound on every dial: the default of <see cref="Limits.ProxyLimits"/> (the capture-only mode has no settings).</summary>
    private static readonly TimeSpan ConnectTimeout = new Limits.ProxyLimits().ConnectTimeout;

    public PassthroughInbound(PodSocketFactory sockets, ILogger logger)
    {
        _sockets = sockets;
        _logger = logger;
    }

    public async Task RunAsync(PodListeners pod, CancellationToken cancellationToken)
    {
        await foreach (var client in SocketAccept.AcceptAllAsync(pod.Inbound, cancellationToken).ConfigureAwait(false))
        {
            _ = HandleAsync(pod, client, cancellationToken);
        }
    }

    private async Task HandleAsync(PodListeners pod, Socket client, CancellationToken cancellationToken)
    {
        using var _ = client;
        var peer = client.RemoteEndPoint as IPEndPoint;
        var destination = (IPEndPoint)client.LocalEndPoint!;
        var error = CaptureGuard.CheckInbound(pod.Pod.Ip, destination);
        if (error != PassthroughError.None)
        {
            ProxyLog.Failed(_logger, "inbound", pod.Pod.Uid, peer, error, string.Empty);
            SocketReset.Reset(client);
            return;
        }
        ProxyLog.Inbound(_logger, pod.Pod.Uid, peer!, destination);
        using var app = _sockets.CreateToApp(pod, peer?.Address, destination);
        (Limits.RefusalReason Reason, string? Detail) dialed;
        using (var watch = ClientWatch.Start(client, cancellationToken))
        {
            dialed = await Dial.ConnectAsync(app, destination, ConnectTimeout, watch.Token).ConfigureAwait(false);
        }
        if (dialed.Reason != Limits.RefusalReason.None)
        {
            ProxyLog.Failed(_logger, "inbound", pod.Pod.Uid, peer, PassthroughError.ConnectFailed, $"{dialed.Reason} {dialed.Detail}");
            SocketReset.Reset(client);
            return;
        }
        var (sent, received) = await TcpRelay.RunAsync(client, app, cancellationToken).ConfigureAwait(false);
        ProxyLog.Closed(_logger, "inbound", pod.Pod.Uid, peer, sent, received);
    }
}
