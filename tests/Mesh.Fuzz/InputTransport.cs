namespace Mesh.Fuzz;

/// <summary>
/// The peer's side of a connection as a stream: reads return the fuzz input (in pieces of varying size, so
/// frames straddle reads), then end of stream; everything written is counted and dropped.
/// </summary>
internal sealed class InputTransport(byte[] input, Func<Task>? beforeEnd = null) : Stream
{
    private int _position;
    private long _written;
    private int _readCount;

    public long BytesWritten => Interlocked.Read(ref _written);

    public override bool CanRead => true;
    public override bool CanWrite => true;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }
        // Read sizes 1, 7, 64, 4096, ... cycle, so both partial headers and several frames per read occur.
        var chunk = (_readCount++ % 4) switch { 0 => 4096, 1 => 1, 2 => 7, _ => 64 };
        var n = Math.Min(Math.Min(chunk, buffer.Length), input.Length - _position);
        input.AsSpan(_position, n).CopyTo(buffer);
        _position += n;
        return n;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<int>(cancellationToken);
        }
        if (_position == input.Length && !buffer.IsEmpty && beforeEnd is { } wait)
        {
            // Before the peer "closes", let the server finish what the input started (answer every request).
            beforeEnd = null;
            return new(EndAfter(wait));
        }
        return new(Read(buffer.Span));
    }

    private static async Task<int> EndAfter(Func<Task> wait)
    {
        await wait();
        return 0;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => Interlocked.Add(ref _written, count);

    public override void Write(ReadOnlySpan<byte> buffer) => Interlocked.Add(ref _written, buffer.Length);

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Interlocked.Add(ref _written, buffer.Length);
        return ValueTask.CompletedTask;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        Interlocked.Add(ref _written, count);
        return Task.CompletedTask;
    }

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
