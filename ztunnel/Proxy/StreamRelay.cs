using System.Net.Sockets;
using Mesh.Core.Hbone.Http2;
using Mesh.Ztunnel.Limits;
using Mesh.Ztunnel.Metrics;

namespace Mesh.Ztunnel.Proxy;

/// <summary>
/// Copies bytes both ways between an app socket and an HBONE tunnel stream (<see cref="RelayPump"/>). A clean end (the
/// socket's FIN, the stream's END_STREAM) is passed on as a half-close (END_STREAM, FIN); an abnormal end (the socket
/// reset or failed, the stream was reset or its connection lost, or <c>cancellationToken</c> fired) resets both:
/// RST_STREAM on the tunnel and RST on the socket (<see cref="SocketReset"/>), so a truncated transfer is never
/// reported as complete.
/// </summary>
public static class StreamRelay
{
    /// <summary>
    /// Returns (bytes socket->tunnel, bytes tunnel->socket) once both directions have ended. Bytes are counted into
    /// <paramref name="metrics"/> as they flow: from the client as request bytes, towards it as response bytes.
    /// </summary>
    public static async Task<(long Sent, long Received)> RunAsync(
        Socket socket, Http2Stream tunnel, TcpConnectionMetrics metrics, bool socketIsClient, CancellationToken cancellationToken, RelayActivity? activity = null)
    {
        var up = RelayPump.PumpAsync(new SocketEnd(socket), new TunnelEnd(tunnel), activity, cancellationToken, metrics, countAsRequest: socketIsClient);
        var down = RelayPump.PumpAsync(new TunnelEnd(tunnel), new SocketEnd(socket), activity, cancellationToken, metrics, countAsRequest: !socketIsClient);
        await Task.WhenAll(up, down).ConfigureAwait(false);
        return (up.Result, down.Result);
    }
}
