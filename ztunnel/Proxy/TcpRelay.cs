using System.Net.Sockets;
using Mesh.Ztunnel.Limits;

namespace Mesh.Ztunnel.Proxy;

/// <summary>
/// Copies bytes both ways between two connected sockets (<see cref="RelayPump"/>). A clean end of one direction (the
/// peer's FIN) is passed on as a half-close; anything else (a reset or error on either socket, or
/// <c>cancellationToken</c>: unenroll, drain, idle timeout) is an abnormal end and resets both sockets
/// (<see cref="SocketReset"/>), never a FIN that would pass a truncated stream off as complete.
/// </summary>
public static class TcpRelay
{
    /// <summary>Returns (bytes a->b, bytes b->a) once both directions have ended. <paramref name="activity"/> is stamped on every read.</summary>
    public static async Task<(long AToB, long BToA)> RunAsync(Socket a, Socket b, CancellationToken cancellationToken, RelayActivity? activity = null)
    {
        var aToB = RelayPump.PumpAsync(new SocketEnd(a), new SocketEnd(b), activity, cancellationToken);
        var bToA = RelayPump.PumpAsync(new SocketEnd(b), new SocketEnd(a), activity, cancellationToken);
        await Task.WhenAll(aToB, bToA).ConfigureAwait(false);
        return (aToB.Result, bToA.Result);
    }
}
