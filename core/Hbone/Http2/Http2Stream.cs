using System.Buffers;
using Mesh.Core.Hbone.Hpack;

namespace Mesh.Core.Hbone.Http2;

/// <summary>
/// One HTTP/2 stream as a duplex <see cref="Stream"/>: reads return the peer's DATA (0 after its END_STREAM),
/// writes send DATA within the flow-control windows, <see cref="CompleteWrites"/> sends END_STREAM (half-close),
/// and <see cref="Stream.Dispose()"/> closes the stream (RST_STREAM CANCEL when it did not end cleanly).
/// One reader and one writer may use it at the same time.
/// </summary>
public sealed class Http2Stream : Stream
{
    private readonly Http2Connection _connection;
    private readonly object _sync = new();
    private readonly Queue<(byte[] Buffer, int Length)> _segments = new();
    private int _headOffset;
    private int _buffered;
    private TaskCompletionSource? _readWaiter;
    private volatile bool _remoteEnded;
    private volatile bool _localEnded;
    private volatile int _resetCode = -1;
    private volatile bool _disposed;
    private CancellationTokenSource? _aborted; // guarded by _sync; made on first use

    internal Http2Stream(Http2Connection connection, int id, long sendWindow, int receiveWindow)
    {
        _connection = connection;
        Id = id;
        SendWindow = sendWindow;
        ReceiveWindow = receiveWindow;
    }

    public int Id { get; }

    /// <summary>The request headers (server side) or the response headers (client side).</summary>
    public IReadOnlyList<HeaderField> Headers { get; internal set; } = [];

    /// <summary>The RST_STREAM code sent or received, or null.</summary>
    public Http2ErrorCode? ResetCode => _resetCode < 0 ? null : (Http2ErrorCode)_resetCode;

    public bool RemoteEnded => _remoteEnded;

    /// <summary>True once RST_STREAM was sent or received, or the connection was lost.</summary>
    public bool IsReset => _resetCode >= 0;

    /// <summary>
    /// Fires when the stream is reset either way or its connection is lost: e.g. to cancel a dial made on the
    /// stream's behalf when the peer gives up. Its callbacks run on the thread that saw the reset.
    /// </summary>
    public CancellationToken Aborted
    {
        get
        {
            lock (_sync)
            {
                if (_resetCode >= 0)
                {
                    return new CancellationToken(canceled: true);
                }
                _aborted ??= new CancellationTokenSource();
                return _aborted.Token;
            }
        }
    }

    public bool LocalEnded => _localEnded;

    // Guarded by the connection's lock.
    internal long SendWindow;
    internal TaskCompletionSource? SendWaiter;
    internal bool Finished;

    // Guarded by _sync.
    internal int ReceiveWindow;
    private int _receiveUnacked;

    // Client side: completed with true when response headers arrive, false on reset or connection loss.
    internal TaskCompletionSource<bool>? ResponseReceived;

    public override bool CanRead => true;
    public override bool CanWrite => true;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    /// <summary>Half-close: sends END_STREAM after the data already written. Reads continue.</summary>
    public void CompleteWrites()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_localEnded || IsReset)
        {
            return;
        }
        _localEnded = true;
        _connection.SendEndStream(this);
    }

    /// <summary>Aborts the stream with RST_STREAM.</summary>
    public void Reset(Http2ErrorCode code = Http2ErrorCode.Cancel)
    {
        if (MarkReset(code))
        {
            _connection.SendReset(this, code);
        }
    }

    /// <summary>Sends response headers (server side); with <paramref name="endStream"/> the stream ends.</summary>
    public void SendHeaders(IReadOnlyList<HeaderField> headers, bool endStream)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (endStream)
        {
            _localEnded = true;
        }
        _connection.SendHeaders(this, headers, endStream);
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            Task wait;
            lock (_sync)
            {
                if (_buffered > 0)
                {
                    if (buffer.IsEmpty)
                    {
                        return 0;
                    }
                    var n = CopyOut(buffer.Span);
                    _connection.OnConsumed(this, n, ref _receiveUnacked);
                    return n;
                }
                if (_remoteEnded)
                {
                    return 0;
                }
                if (_resetCode >= 0)
                {
                    throw new IOException($"HTTP/2 stream {Id} was reset ({(Http2ErrorCode)_resetCode})");
                }
                // Completed outside the lock, continuing inline on the connection's reader: the data goes on
                // to its destination without a hop through the thread pool.
                _readWaiter ??= new TaskCompletionSource();
                wait = _readWaiter.Task;
            }
            await (cancellationToken.CanBeCanceled ? wait.WaitAsync(cancellationToken) : wait);
        }
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_localEnded)
        {
            throw new InvalidOperationException($"HTTP/2 stream {Id}: write after CompleteWrites");
        }
        return buffer.IsEmpty ? ValueTask.CompletedTask : _connection.SendDataAsync(this, buffer, cancellationToken);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        if (!IsReset)
        {
            if (_remoteEnded && !_localEnded)
            {
                _localEnded = true;
                _connection.SendEndStream(this);
            }
            else if (!_remoteEnded)
            {
                // After a complete response NO_ERROR tells the peer to stop sending (RFC 9113 section 8.1).
                Reset(_localEnded ? Http2ErrorCode.NoError : Http2ErrorCode.Cancel);
            }
        }
        int discarded;
        TaskCompletionSource? waiter;
        lock (_sync)
        {
            discarded = DiscardBuffered();
            waiter = _readWaiter;
            _readWaiter = null;
        }
        waiter?.TrySetResult();
        _connection.OnDiscarded(discarded);
        _connection.StreamStateChanged(this);
        base.Dispose(disposing);
    }

    /// <summary>Reader loop: a DATA payload arrived. Returns false when it breaks the stream's window.</summary>
    internal bool OnData(ReadOnlySpan<byte> data, int flowControlled, bool endStream, out int discard)
    {
        discard = 0;
        TaskCompletionSource? waiter;
        lock (_sync)
        {
            ReceiveWindow -= flowControlled;
            if (ReceiveWindow < 0)
            {
                return false;
            }
            discard = flowControlled - data.Length; // padding is consumed at once
            if (_disposed || _resetCode >= 0)
            {
                discard = flowControlled;
            }
            else if (!data.IsEmpty)
            {
                var copy = ArrayPool<byte>.Shared.Rent(data.Length);
                data.CopyTo(copy);
                _segments.Enqueue((copy, data.Length));
                _buffered += data.Length;
            }
            if (endStream)
            {
                _remoteEnded = true;
            }
            waiter = _readWaiter;
            _readWaiter = null;
        }
        waiter?.TrySetResult();
        return true;
    }

    /// <summary>The peer ended its side (END_STREAM on HEADERS).</summary>
    internal void OnRemoteEnd()
    {
        TaskCompletionSource? waiter;
        lock (_sync)
        {
            _remoteEnded = true;
            waiter = _readWaiter;
            _readWaiter = null;
        }
        waiter?.TrySetResult();
    }

    /// <summary>Marks the stream reset (received, sent or connection lost); false when it already was. Returns buffered bytes to the windows.</summary>
    internal bool MarkReset(Http2ErrorCode code)
    {
        int discarded;
        TaskCompletionSource? waiter;
        CancellationTokenSource? aborted;
        lock (_sync)
        {
            if (_resetCode >= 0)
            {
                return false;
            }
            _resetCode = (int)code;
            // A reset after the peer's END_STREAM leaves the data already received readable.
            discarded = _remoteEnded && code == Http2ErrorCode.NoError ? 0 : DiscardBuffered();
            waiter = _readWaiter;
            _readWaiter = null;
            aborted = _aborted;
        }
        waiter?.TrySetResult();
        aborted?.Cancel();
        ResponseReceived?.TrySetResult(false);
        _connection.OnDiscarded(discarded);
        _connection.WakeSender(this);
        return true;
    }

    private int CopyOut(Span<byte> destination)
    {
        var copied = 0;
        while (copied < destination.Length && _segments.Count > 0)
        {
            var (segment, length) = _segments.Peek();
            var n = Math.Min(length - _headOffset, destination.Length - copied);
            segment.AsSpan(_headOffset, n).CopyTo(destination[copied..]);
            copied += n;
            _headOffset += n;
            if (_headOffset == length)
            {
                _segments.Dequeue();
                _headOffset = 0;
                ArrayPool<byte>.Shared.Return(segment);
            }
        }
        _buffered -= copied;
        return copied;
    }

    private int DiscardBuffered()
    {
        var discarded = _buffered;
        while (_segments.Count > 0)
        {
            ArrayPool<byte>.Shared.Return(_segments.Dequeue().Buffer);
        }
        _headOffset = 0;
        _buffered = 0;
        return discarded;
    }
}
