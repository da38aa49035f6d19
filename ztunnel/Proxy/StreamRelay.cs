using System.Buffers;
using System.Net.Sockets;
using Mesh.Core.Hbone.Http2;
using Mesh.Ztunnel.Limits;
using Mesh.Ztunnel.Metrics;

namespace Mesh.Ztunnel.Proxy;

/// <summary>
/// Copies bytes both ways between an app socket and an HBONE tunnel stream. A clean end (the socket's FIN, the
/// stream's END_STREAM) is passed on as a half-close (END_STREAM, FIN); an abnormal end (the socket reset or failed,
/// the stream was reset or its connection lost, or <c>cancellationToken</c> fired) resets both: RST_STREAM on the
/// tunnel and RST on the socket (<see cref="SocketReset"/>), so a truncated transfer is never reported as complete. A direction
/// borrows its 64 KiB buffer from the shared pool only while data flows: it waits with a zero-byte read and gives
/// the buffer back whenever a read drains the source, so an idle connection holds no buffer.
/// </summary>
public static class StreamRelay
{
    private const int BufferSize = 64 * 1024;

    /// <summary>
    /// Returns (bytes socket->tunnel, bytes tunnel->socket) once both directions have ended. Bytes are counted into
    /// <paramref name="metrics"/> as they flow: from the client as request bytes, towards it as response bytes.
    /// </summary>
    public static async Task<(long Sent, long Received)> RunAsync(
        Socket socket, Http2Stream tunnel, TcpConnectionMetrics metrics, bool socketIsClient, CancellationToken cancellationToken, RelayActivity? activity = null)
    {
        Action<long> up2 = socketIsClient ? metrics.AddRequestBytes : metrics.AddResponseBytes;
        Action<long> down2 = socketIsClient ? metrics.AddResponseBytes : metrics.AddRequestBytes;
        var up = SocketToTunnelAsync(socket, tunnel, up2, activity, cancellationToken);
        var down = TunnelToSocketAsync(tunnel, socket, down2, activity, cancellationToken);
        await Task.WhenAll(up, down).ConfigureAwait(false);
        return (up.Result, down.Result);
    }

    private static async Task<long> SocketToTunnelAsync(Socket from, Http2Stream to, Action<long> count, RelayActivity? activity, CancellationToken cancellationToken)
    {
        byte[]? buffer = null;
        long total = 0;
        try
        {
            while (true)
            {
                if (buffer is null)
                {
                    // Wait for data without holding a buffer (zero-byte read): an idle connection costs no buffer.
                    await from.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None, cancellationToken).ConfigureAwait(false);
                    buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
                }
                var read = await from.ReceiveAsync(buffer.AsMemory(0, BufferSize), SocketFlags.None, cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    to.CompleteWrites();
                    break;
                }
                activity?.Touch();
                await to.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                total += read;
                count(read);
                if (read < BufferSize)
                {
                    // Drained: give the buffer back while waiting. A full read (bulk) keeps it for the next one.
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = null;
                }
            }
        }
        catch (Exception e) when (e is SocketException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            to.Reset();
            SocketReset.Reset(from);
        }
        finally
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
        return total;
    }

    private static async Task<long> TunnelToSocketAsync(Http2Stream from, Socket to, Action<long> count, RelayActivity? activity, CancellationToken cancellationToken)
    {
        byte[]? buffer = null;
        long total = 0;
        try
        {
            while (true)
            {
                if (buffer is null)
                {
                    await from.ReadAsync(Memory<byte>.Empty, cancellationToken).ConfigureAwait(false);
                    buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
                }
                var read = await from.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    to.Shutdown(SocketShutdown.Send);
                    break;
                }
                activity?.Touch();
                var sent = 0;
                while (sent < read)
                {
                    sent += await to.SendAsync(buffer.AsMemory(sent, read - sent), SocketFlags.None, cancellationToken).ConfigureAwait(false);
                }
                total += read;
                count(read);
                if (read < BufferSize)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = null;
                }
            }
        }
        catch (Exception e) when (e is SocketException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            from.Reset();
            SocketReset.Reset(to);
        }
        finally
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
        return total;
    }
}
