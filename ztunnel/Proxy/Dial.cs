using System.Net;
using System.Net.Sockets;
using Mesh.Ztunnel.Limits;

namespace Mesh.Ztunnel.Proxy;

/// <summary>Every TCP dial ztunnel makes for a client: bounded by the connect timeout and cancelled when the client leaves.</summary>
public static class Dial
{
    /// <summary><see cref="RefusalReason.None"/> when connected; otherwise why not, with the socket error as detail.</summary>
    public static async Task<(RefusalReason Reason, string? Detail)> ConnectAsync(Socket socket, IPEndPoint target, TimeSpan timeout, CancellationToken clientGone)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(clientGone);
        limit.CancelAfter(timeout);
        try
        {
            await socket.ConnectAsync(target, limit.Token).ConfigureAwait(false);
            return (RefusalReason.None, null);
        }
        catch (OperationCanceledException)
        {
            return clientGone.IsCancellationRequested ? (RefusalReason.ClientLeft, null) : (RefusalReason.ConnectTimeout, $"after {timeout.TotalSeconds:0.#} s");
        }
        catch (SocketException e)
        {
            return (e.SocketErrorCode == SocketError.TimedOut ? RefusalReason.ConnectTimeout : RefusalReason.ConnectRefused, e.SocketErrorCode.ToString());
        }
        catch (ObjectDisposedException)
        {
            return (RefusalReason.ClientLeft, null);
        }
    }
}
