using System.Buffers;
using System.Net.Sockets;
using Mesh.Ztunnel.Limits;

namespace Mesh.Ztunnel.Proxy;

/// <summary>
/// Copies bytes both ways between two connected sockets. A clean end of one direction (the peer's FIN) is passed on
/// as a half-close; anything else (a reset or error on either socket, or <c>cancellationToken</c>: unenroll, drain,
/// idle timeout) is an abnormal end and resets both sockets (<see cref="SocketReset"/>), never a FIN that would pass
/// a truncated stream off as complete. Each direction borrows a pooled 64 KiB buffer only while data flows
/// (zero-byte read while idle), as <see cref="StreamRelay"/> does.
/// </summary>
public static class TcpRelay
{
    private const int BufferSize = 64 * 1024;

    /// <summary>Returns (bytes a->b, bytes b->a) once both directions have ended. <paramref name="activity"/> is stamped on every read.</summary>
    public static async Task<(long AToB, long BToA)> RunAsync(Socket a, Socket b, CancellationToken cancellationToken, RelayActivity? activity = null)
    {
        var aToB = PumpAsync(a, b, activity, cancellationToken);
        var bToA = PumpAsync(b, a, activity, cancellationToken);
        await Task.WhenAll(aToB, bToA).ConfigureAwait(false);
        return (aToB.Result, bToA.Result);
    }

    private static async Task<long> PumpAsync(Socket from, Socket to, RelayActivity? activity, CancellationToken cancellationToken)
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
                    break;
                }
                activity?.Touch();
                var sent = 0;
                while (sent < read)
                {
                    sent += await to.SendAsync(buffer.AsMemory(sent, read - sent), SocketFlags.None, cancellationToken).ConfigureAwait(false);
                }
                total += read;
                if (read < BufferSize)
                {
                    // Drained: give the buffer back while waiting. A full read (bulk) keeps it for the next one.
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = null;
                }
            }
            to.Shutdown(SocketShutdown.Send); // the peer's FIN: the data really ended
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // one side reset, failed or was cancelled: reset both, so neither mistakes it for a complete stream
            SocketReset.Reset(to);
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
}
