using System.Buffers;

namespace Mesh.Core.Hbone.Http2;

/// <summary>
/// Reads whole frames from the transport into one buffer. While the connection is idle the buffer goes back
/// to the pool and the reader waits with a zero-byte read, so an idle connection holds no read buffer.
/// </summary>
internal sealed class Http2FrameReader(Stream transport, int maxFrameSize)
{
    public static ReadOnlySpan<byte> ClientPreface => "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8;

    private readonly int _capacity = Math.Max(64 * 1024, 2 * (FrameHeader.Size + maxFrameSize));
    private byte[]? _buffer;
    private int _start;
    private int _end;

    public FrameHeader Header { get; private set; }

    /// <summary>The current frame's payload; valid until the next read.</summary>
    public ReadOnlySpan<byte> Payload => _buffer.AsSpan(_start - Header.Length, Header.Length);

    /// <summary>Reads and checks the 24-octet client connection preface (server role).</summary>
    public async ValueTask ReadPrefaceAsync(CancellationToken cancellationToken)
    {
        if (!await FillAsync(ClientPreface.Length, cancellationToken))
        {
            throw new Http2ConnectionException(Http2ErrorCode.ProtocolError, "connection closed before the preface");
        }
        if (!_buffer.AsSpan(_start, ClientPreface.Length).SequenceEqual(ClientPreface))
        {
            throw new Http2ConnectionException(Http2ErrorCode.ProtocolError, "bad connection preface");
        }
        _start += ClientPreface.Length;
    }

    /// <summary>Reads the next frame; false on a clean end of stream between frames.</summary>
    public async ValueTask<bool> ReadFrameAsync(CancellationToken cancellationToken)
    {
        if (!await FillAsync(FrameHeader.Size, cancellationToken))
        {
            if (_end > _start)
            {
                throw new Http2ConnectionException(Http2ErrorCode.ProtocolError, "connection closed inside a frame header");
            }
            return false;
        }
        var header = FrameHeader.Read(_buffer.AsSpan(_start));
        if (header.Length > maxFrameSize)
        {
            throw new Http2ConnectionException(Http2ErrorCode.FrameSizeError, $"frame of {header.Length} octets above SETTINGS_MAX_FRAME_SIZE {maxFrameSize}");
        }
        if (!await FillAsync(FrameHeader.Size + header.Length, cancellationToken))
        {
            throw new Http2ConnectionException(Http2ErrorCode.ProtocolError, "connection closed inside a frame");
        }
        _start += FrameHeader.Size + header.Length;
        Header = header;
        return true;
    }

    /// <summary>Returns the buffer to the pool (connection closed).</summary>
    public void Release()
    {
        var buffer = _buffer;
        _buffer = null;
        if (buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async ValueTask<bool> FillAsync(int needed, CancellationToken cancellationToken)
    {
        if (_buffer is not null && _end - _start >= needed)
        {
            return true;
        }
        if (_buffer is null || _start == _end)
        {
            // Nothing buffered: wait for data without holding a buffer.
            Release();
            _start = _end = 0;
            _ = await transport.ReadAsync(Memory<byte>.Empty, cancellationToken);
            _buffer = ArrayPool<byte>.Shared.Rent(_capacity);
        }
        else if (_buffer.Length - _start < needed)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        while (_end - _start < needed)
        {
            var n = await transport.ReadAsync(_buffer.AsMemory(_end), cancellationToken);
            if (n == 0)
            {
                return false;
            }
            _end += n;
        }
        return true;
    }
}
