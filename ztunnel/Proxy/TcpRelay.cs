using System.Net.Sockets;

namespace Mesh.Ztunnel.Proxy;

/// <summary>Copies bytes both ways between two connected sockets, passing half-closes along.</summary>
public static class TcpRelay
{
    private const int BufferSize = 64 * 1024;

    /// <summary>Returns (bytes a->b, bytes b->a) once both directions have ended.</summary>
    public static async Task<(long AToB, long BToA)> RunAsync(Socket a, Socket b, CancellationToken cancellationToken)
    {
        var aToB = PumpAsync(a, b, cancellationToken);
        var bToA = PumpAsync(b, a, cancellationToken);
        await Task.WhenAll(aToB, bToA).ConfigureAwait(false);
        return (aToB.Result, bToA.Result);
    }

    private static async Task<long> PumpAsync(Socket from, Socket to, CancellationToken cancellationToken)
    {
        var buffer = new byte[BufferSize];
        long total = 0;
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }
                var sent = 0;
                while (sent < read)
                {
                    sent += await to.SendAsync(buffer.AsMemory(sent, read - sent), SocketFlags.None, cancellationToken).ConfigureAwait(false);
                }
                total += read;
            }
            to.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // one side reset or closed: end both directions
            SafeShutdown(to);
            SafeShutdown(from);
        }
        return total;
    }

    private static void SafeShutdown(Socket socket)
    {
        try
        {
            socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
    }
}
