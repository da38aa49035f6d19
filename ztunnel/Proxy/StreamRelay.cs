using System.Buffers;
using System.Net.Sockets;
using Mesh.Core.Hbone.Http2;
using Mesh.Ztunnel.Metrics;

namespace Mesh.Ztunnel.Proxy;

/// <summary>Copies bytes both ways between an app socket and an HBONE tunnel stream, passing half-closes along.</summary>
public static class StreamRelay
{
    private const int BufferSize = 64 * 1024;

    /// <summary>
    /// Returns (bytes socket->tunnel, bytes tunnel->socket) once both directions have ended. Bytes are counted into
    /// <paramref name="metrics"/> as they flow: from the client as request bytes, towards it as response bytes.
    /// </summary>
    public static async Task<(long Sent, long Received)> RunAsync(
        Socket socket, Http2Stream tunnel, TcpConnectionMetrics metrics, bool socketIsClient, CancellationToken cancellationToken)
    {
        Action<long> up2 = socketIsClient ? metrics.AddRequestBytes : metrics.AddResponseBytes;
        Action<long> down2 = socketIsClient ? metrics.AddResponseBytes : metrics.AddRequestBytes;
        var up = SocketToTunnelAsync(socket, tunnel, up2, cancellationToken);
        var down = TunnelToSocketAsync(tunnel, socket, down2, cancellationToken);
        await Task.WhenAll(up, down).ConfigureAwait(false);
        return (up.Result, down.Result);
    }

    private static async Task<long> SocketToTunnelAsync(Socket from, Http2Stream to, Action<long> count, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        long total = 0;
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer.AsMemory(0, BufferSize), SocketFlags.None, cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    to.CompleteWrites();
                    break;
                }
                await to.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                total += read;
                count(read);
            }
        }
        catch (Exception e) when (e is SocketException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            to.Reset();
            Abort(from);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return total;
    }

    private static async Task<long> TunnelToSocketAsync(Http2Stream from, Socket to, Action<long> count, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        long total = 0;
        try
        {
            while (true)
            {
                var read = await from.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    to.Shutdown(SocketShutdown.Send);
                    break;
                }
                var sent = 0;
                while (sent < read)
                {
                    sent += await to.SendAsync(buffer.AsMemory(sent, read - sent), SocketFlags.None, cancellationToken).ConfigureAwait(false);
                }
                total += read;
                count(read);
            }
        }
        catch (Exception e) when (e is SocketException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            from.Reset();
            Abort(to);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return total;
    }

    private static void Abort(Socket socket)
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
