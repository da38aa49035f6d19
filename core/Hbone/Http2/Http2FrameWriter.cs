using System.Buffers;
using System.Buffers.Binary;
using System.Threading.Channels;

namespace Mesh.Core.Hbone.Http2;

/// <summary>
/// The one writer of a connection: frames are queued from any thread and a single loop serializes them into
/// a pooled batch buffer, writing to the transport when the queue runs empty or the batch is full (coalescing
/// small frames into one TLS write). The batch buffer is returned to the pool whenever the queue is empty.
/// When the loop is idle, the thread that queues a frame runs it inline (synchronous continuations) and writes
/// at once, instead of waking a pool thread for every frame; while a write is in flight, frames queue up and
/// go out together in the next batch.
/// </summary>
internal sealed class Http2FrameWriter(Stream transport)
{
    /// <summary>Pseudo frame type: the payload is written as is (the client connection preface).</summary>
    public const Http2FrameType RawBytes = (Http2FrameType)0xff;

    private const int BatchSize = 64 * 1024;

    private readonly Channel<OutboundFrame> _queue = Channel.CreateUnbounded<OutboundFrame>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = false, AllowSynchronousContinuations = true });

    /// <summary>The peer's SETTINGS_MAX_FRAME_SIZE; HEADERS blocks are split into CONTINUATION frames to fit it.</summary>
    public volatile int PeerMaxFrameSize = 16 * 1024;

    /// <summary>Queues a frame; false (and the payload returned to the pool) once the writer is completed.</summary>
    public bool TryEnqueue(in OutboundFrame frame)
    {
        if (_queue.Writer.TryWrite(frame))
        {
            return true;
        }
        if (frame.Payload is not null)
        {
            ArrayPool<byte>.Shared.Return(frame.Payload);
        }
        return false;
    }

    /// <summary>No more frames: the loop writes what is queued and ends.</summary>
    public void Complete() => _queue.Writer.TryComplete();

    public async Task RunAsync()
    {
        var reader = _queue.Reader;
        byte[]? batch = null;
        try
        {
            while (await reader.WaitToReadAsync())
            {
                batch ??= ArrayPool<byte>.Shared.Rent(BatchSize);
                var used = 0;
                while (reader.TryRead(out var frame))
                {
                    try
                    {
                        used = await AppendAsync(frame, batch, used);
                    }
                    finally
                    {
                        if (frame.Payload is not null)
                        {
                            ArrayPool<byte>.Shared.Return(frame.Payload);
                        }
                    }
                }
                if (used > 0)
                {
                    await transport.WriteAsync(batch.AsMemory(0, used));
                    await transport.FlushAsync();
                }
                ArrayPool<byte>.Shared.Return(batch);
                batch = null;
            }
        }
        finally
        {
            if (batch is not null)
            {
                ArrayPool<byte>.Shared.Return(batch);
            }
            // Drop whatever could not be written.
            _queue.Writer.TryComplete();
            while (reader.TryRead(out var left))
            {
                if (left.Payload is not null)
                {
                    ArrayPool<byte>.Shared.Return(left.Payload);
                }
            }
        }
    }

    private async ValueTask<int> AppendAsync(OutboundFrame frame, byte[] batch, int used)
    {
        switch (frame.Type)
        {
            case RawBytes:
                frame.Payload.AsSpan(0, frame.Length).CopyTo(batch.AsSpan(used));
                return used + frame.Length;
            case Http2FrameType.Headers:
                return await AppendHeaderBlockAsync(frame, batch, used);
            case Http2FrameType.Ping:
            {
                Span<byte> payload = stackalloc byte[8];
                BinaryPrimitives.WriteUInt64BigEndian(payload, frame.Value);
                return await AppendAsync(new FrameHeader(8, frame.Type, frame.Flags, 0), payload.ToArray(), batch, used);
            }
            case Http2FrameType.WindowUpdate:
            case Http2FrameType.RstStream:
            {
                var payload = new byte[4];
                BinaryPrimitives.WriteUInt32BigEndian(payload, (uint)frame.Value);
                return await AppendAsync(new FrameHeader(4, frame.Type, frame.Flags, frame.StreamId), payload, batch, used);
            }
            case Http2FrameType.GoAway:
            {
                var payload = new byte[8];
                BinaryPrimitives.WriteUInt32BigEndian(payload, (uint)(frame.Value >> 32) & 0x7fffffff);
                BinaryPrimitives.WriteUInt32BigEndian(payload.AsSpan(4), (uint)frame.Value);
                return await AppendAsync(new FrameHeader(8, frame.Type, 0, 0), payload, batch, used);
            }
            default:
                return await AppendAsync(
                    new FrameHeader(frame.Length, frame.Type, frame.Flags, frame.StreamId),
                    frame.Payload is null ? ReadOnlyMemory<byte>.Empty : frame.Payload.AsMemory(0, frame.Length), batch, used);
        }
    }

    private async ValueTask<int> AppendHeaderBlockAsync(OutboundFrame frame, byte[] batch, int used)
    {
        var block = frame.Payload.AsMemory(0, frame.Length);
        var max = PeerMaxFrameSize;
        var type = Http2FrameType.Headers;
        do
        {
            var n = Math.Min(max, block.Length);
            var last = n == block.Length;
            var flags = (byte)((type == Http2FrameType.Headers ? frame.Flags & Http2Flags.EndStream : 0) | (last ? Http2Flags.EndHeaders : 0));
            used = await AppendAsync(new FrameHeader(n, type, flags, frame.StreamId), block[..n], batch, used);
            block = block[n..];
            type = Http2FrameType.Continuation;
        }
        while (!block.IsEmpty);
        return used;
    }

    private async ValueTask<int> AppendAsync(FrameHeader header, ReadOnlyMemory<byte> payload, byte[] batch, int used)
    {
        var total = FrameHeader.Size + payload.Length;
        if (used + total > batch.Length && used > 0)
        {
            await transport.WriteAsync(batch.AsMemory(0, used));
            used = 0;
        }
        header.Write(batch.AsSpan(used));
        used += FrameHeader.Size;
        if (total > batch.Length)
        {
            await transport.WriteAsync(batch.AsMemory(0, used));
            await transport.WriteAsync(payload);
            return 0;
        }
        payload.Span.CopyTo(batch.AsSpan(used));
        return used + payload.Length;
    }
}
