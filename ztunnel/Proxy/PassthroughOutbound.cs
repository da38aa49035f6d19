using System.Net;
using System.Net.Sockets;
using Mesh.Core.Net;
using Mesh.Ztunnel.Redirection;
using Microsoft.Extensions.Logging;

namespace Mesh.Ztunnel.Proxy;

/// <summary>
/// Outbound without HBONE: accepts the pod's captured connects on 15001, reads the original
/// destination from the BPF map, dials it from a marked socket in the pod's namespace and relays.
/// HBONE replaces the dial step.
/// </summary>
public sealed class PassthroughOutbound
{
    private readonly IOriginalDestinations _destinations;
    private readonly PodSocketFactory _sockets;
    private readonly ILogger _logger;

    /// <summary>Bound on every dial: the default of <see cref="Limits.ProxyLimits"/> (the capture-only mode has no settings).</summary>
    private static readonly TimeSpan ConnectTimeout = new Limits.ProxyLimits().ConnectTimeout;

    public PassthroughOutbound(IOriginalDestinations destinations, PodSocketFactory sockets, ILogger logger)
    {
        _destinations = destinations;
        _sockets = sockets;
        _logger = logger;
    }

    public async Task RunAsync(PodListeners pod, CancellationToken cancellationToken)
    {
        await foreach (var client in SocketAccept.AcceptAllAsync(pod.Outbound, cancellationToken).ConfigureAwait(false))
        {
            _ = HandleAsync(pod, client, cancellationToken);
        }
    }

    private async Task HandleAsync(PodListeners pod, Socket client, CancellationToken cancellationToken)
    {
        using var _ = client;
        var peer = client.RemoteEndPoint as IPEndPoint;
        IPEndPoint? destination = null;
        if (peer is not null && _destinations.TryGetOriginalDestination(pod, peer, out var found))
        {
            destination = found;
        }
        var error = CaptureGuard.CheckOutbound(pod.Pod.Ip, destination);
        if (error != PassthroughError.None)
        {
            ProxyLog.Failed(_logger, "outbound", pod.Pod.Uid, peer, error, string.Empty);
            SocketReset.Reset(client);
            return;
        }
        ProxyLog.Outbound(_logger, pod.Pod.Uid, peer!, destination!);
        using var upstream = _sockets.CreateTcp(pod.Pod);
        (Limits.RefusalReason Reason, string? Detail) dialed;
        using (var watch = ClientWatch.Start(client, cancellationToken))
        {
            dialed = await Dial.ConnectAsync(upstream, destination!, ConnectTimeout, watch.Token).ConfigureAwait(false);
        }
        if (dialed.Reason != Limits.RefusalReason.None)
        {
            ProxyLog.Failed(_logger, "outbound", pod.Pod.Uid, peer, PassthroughError.ConnectFailed, $"{dialed.Reason} {dialed.Detail}");
            SocketReset.Reset(client);
            return;
        }
        var (sent, received) = await TcpRelay.RunAsync(client, upstream, cancellationToken).ConfigureAwait(false);
        ProxyLog.Closed(_logger, "outbound", pod.Pod.Uid, peer, sent, received);
    }
}
