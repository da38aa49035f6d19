using System.Buffers;
using System.Net.Sockets;
using Mesh.Ztunnel.Limits;

namespace Mesh.Ztunnel.Proxy;

/// <summary>
/// The one copy loop of every relay (<see cref="TcpRelay"/>, <see cref="StreamRelay"/>), one direction at a time. A
/// clean end of the source is passed on (<see cref="IRelayEnd.CompleteWrites"/>); an abnormal end (a reset or error on
/// either side, or the token: unenroll, drain, idle timeout) resets both, so a truncated transfer never looks complete.
/// The 64 KiB buffer is borrowed from the shared pool only while data flows: the pump waits with a zero-byte read and
/// gives the buffer back whenever a read drains the source, so an idle connection holds no buffer. Generic over
/// struct ends, so no end is boxed and no delegate runs per read.
/// </summary>
internal static class RelayPump
{
    public const int BufferSize = 64 * 1024;

    /// <summary>Copies <paramref name="from"/> into <paramref name="to"/> until either ends; returns the bytes copied.</summary>
    public static async Task<long> PumpAsync<TFrom, TTo>(TFrom from, TTo to, RelayActivity? activity, CancellationToken cancellationToken,
        Metrics.TcpConnectionMetrics? metrics = null, bool countAsRequest = false)
        where TFrom : IRelayEnd
        where TTo : IRelayEnd
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
                    await from.ReadAsync(Memory<byte>.Empty, cancellationToken).ConfigureAwait(false);
                    buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
                }
                var read = await from.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    to.CompleteWrites(); // the source's clean end: the data really ended
                    break;
                }
                activity?.Touch();
                await to.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                total += read;
                if (metrics is not null)
                {
                    if (countAsRequest)
                    {
                        metrics.AddRequestBytes(read);
                    }
                    else
                    {
                        metrics.AddResponseBytes(read);
                    }
                }
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
            // one side reset, failed or was cancelled: reset both, so neither mistakes it for a complete stream
            to.Reset();
            from.Reset();
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
