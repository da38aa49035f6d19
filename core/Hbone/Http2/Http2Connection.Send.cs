using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using Mesh.Core.Hbone.Hpack;

namespace Mesh.Core.Hbone.Http2;

public sealed partial class Http2Connection
{
    private readonly ConcurrentDictionary<ulong, (TaskCompletionSource<TimeSpan> Done, long Sent)> _pings = new();
    private long _pingCounter;
    private long _keepAlivePingSent;

    /// <summary>Sends a PING and returns the round-trip time.</summary>
    public async Task<TimeSpan> PingAsync(CancellationToken cancellationToken)
    {
        var id = (ulong)Interlocked.Increment(ref _pingCounter);
        var done = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pings[id] = (done, _time.GetTimestamp());
        if (!_writer.TryEnqueue(new OutboundFrame(Http2FrameType.Ping, 0, 0, null, 8, id)))
        {
            _pings.TryRemove(id, out _);
            throw new IOException("HTTP/2 connection closed");
        }
        try
        {
            return await done.Task.WaitAsync(cancellationToken);
        }
        finally
        {
            _pings.TryRemove(id, out _);
        }
    }

    internal void SendHeaders(Http2Stream stream, IReadOnlyList<HeaderField> headers, bool endStream)
    {
        lock (_headerLock)
        {
            EnqueueHeadersLocked(stream.Id, headers, endStream);
        }
        if (endStream)
        {
            StreamStateChanged(stream);
        }
    }

    internal void SendEndStream(Http2Stream stream)
    {
        _writer.TryEnqueue(new OutboundFrame(Http2FrameType.Data, Http2Flags.EndStream, stream.Id, null, 0, 0));
        StreamStateChanged(stream);
    }

    internal void SendReset(Http2Stream stream, Http2ErrorCode code)
    {
        SendRstStream(stream.Id, code);
        StreamStateChanged(stream);
    }

    /// <summary>Sends <paramref name="data"/> as DATA frames, waiting for window on the stream and the connection.</summary>
    internal async ValueTask SendDataAsync(Http2Stream stream, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        var maxFrame = Math.Min(_options.MaxSendFrameSize, _writer.PeerMaxFrameSize);
        while (!data.IsEmpty)
        {
            int n;
            Task? wait = null;
            lock (_lock)
            {
                if (stream.IsReset || _aborted)
                {
                    throw new IOException($"HTTP/2 stream {stream.Id} was reset ({stream.ResetCode ?? Http2ErrorCode.Cancel})");
                }
                n = (int)Math.Min(Math.Min(data.Length, maxFrame), Math.Min(stream.SendWindow, _connectionSendWindow));
                if (n > 0)
                {
                    stream.SendWindow -= n;
                    _connectionSendWindow -= n;
                }
                else
                {
                    stream.SendWaiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    wait = stream.SendWaiter.Task;
                    if (_connectionSendWindow <= 0)
                    {
                        _connectionWindowWaiters.Add(stream);
                    }
                }
            }
            if (wait is not null)
            {
                await wait.WaitAsync(cancellationToken);
                continue;
            }
            var buffer = ArrayPool<byte>.Shared.Rent(n);
            data.Span[..n].CopyTo(buffer);
            if (!_writer.TryEnqueue(new OutboundFrame(Http2FrameType.Data, 0, stream.Id, buffer, n, 0)))
            {
                throw new IOException("HTTP/2 connection closed");
            }
            data = data[n..];
        }
    }

    /// <summary>The application read <paramref name="count"/> bytes of <paramref name="stream"/> (called under the stream's lock): reopen the windows.</summary>
    internal void OnConsumed(Http2Stream stream, int count, ref int streamUnacked)
    {
        streamUnacked += count;
        if (streamUnacked >= _options.StreamWindowSize / 4 && !stream.RemoteEnded)
        {
            stream.ReceiveWindow += streamUnacked;
            SendWindowUpdate(stream.Id, streamUnacked);
            streamUnacked = 0;
        }
        OnDiscarded(count);
    }

    /// <summary>Bytes that left the connection window (read, dropped or padding): credit the connection.</summary>
    internal void OnDiscarded(int count)
    {
        if (count <= 0)
        {
            return;
        }
        int update = 0;
        lock (_lock)
        {
            _connectionUnacked += count;
            if (_connectionUnacked >= _options.ConnectionWindowSize / 4)
            {
                update = _connectionUnacked;
                _connectionReceiveWindow += update;
                _connectionUnacked = 0;
            }
        }
        if (update > 0)
        {
            SendWindowUpdate(0, update);
        }
    }

    internal void WakeSender(Http2Stream stream)
    {
        lock (_lock)
        {
            var waiter = stream.SendWaiter;
            stream.SendWaiter = null;
            waiter?.TrySetResult();
        }
    }

    private void OnWindowUpdate(FrameHeader header, ReadOnlySpan<byte> payload)
    {
        if (payload.Length != 4)
        {
            throw new Http2ConnectionException(Http2ErrorCode.FrameSizeError, "bad WINDOW_UPDATE");
        }
        var increment = (int)(BinaryPrimitives.ReadUInt32BigEndian(payload) & 0x7fffffff);
        if (header.StreamId == 0)
        {
            if (increment == 0)
            {
                throw new Http2ConnectionException(Http2ErrorCode.ProtocolError, "WINDOW_UPDATE of 0");
            }
            lock (_lock)
            {
                _connectionSendWindow += increment;
                if (_connectionSendWindow > int.MaxValue)
                {
                    throw new Http2ConnectionException(Http2ErrorCode.FlowControlError, "connection window above 2^31-1");
                }
                foreach (var s in _connectionWindowWaiters)
                {
                    var waiter = s.SendWaiter;
                    s.SendWaiter = null;
                    waiter?.TrySetResult();
                }
                _connectionWindowWaiters.Clear();
            }
            return;
        }
        var stream = FindStream(header.StreamId);
        if (stream is null)
        {
            return;
        }
        bool overflow;
        lock (_lock)
        {
            stream.SendWindow += increment;
            overflow = increment == 0 || stream.SendWindow > int.MaxValue;
            var waiter = stream.SendWaiter;
            stream.SendWaiter = null;
            waiter?.TrySetResult();
        }
        if (overflow)
        {
            stream.Reset(increment == 0 ? Http2ErrorCode.ProtocolError : Http2ErrorCode.FlowControlError);
        }
    }

    private void OnSettings(FrameHeader header, ReadOnlySpan<byte> payload)
    {
        if (header.StreamId != 0)
        {
            throw new Http2ConnectionException(Http2ErrorCode.ProtocolError, "SETTINGS on a stream");
        }
        if (header.HasFlag(Http2Flags.Ack))
        {
            if (payload.Length != 0)
            {
                throw new Http2ConnectionException(Http2ErrorCode.FrameSizeError, "SETTINGS ACK with a payload");
            }
            return;
        }
        if (payload.Length % 6 != 0)
        {
            throw new Http2ConnectionException(Http2ErrorCode.FrameSizeError, "SETTINGS length not a multiple of 6");
        }
        for (var i = 0; i < payload.Length; i += 6)
        {
            var id = (Http2SettingId)BinaryPrimitives.ReadUInt16BigEndian(payload[i..]);
            var value = BinaryPrimitives.ReadUInt32BigEndian(payload[(i + 2)..]);
            ApplySetting(id, value);
        }
        _sawSettings = true;
        _writer.TryEnqueue(new OutboundFrame(Http2FrameType.Settings, Http2Flags.Ack, 0, null, 0, 0));
        _settingsReceived.TrySetResult();
    }

    private void ApplySetting(Http2SettingId id, uint value)
    {
        switch (id)
        {
            case Http2SettingId.HeaderTableSize:
                lock (_headerLock)
                {
                    _encoder.SetMaxTableSize((int)Math.Min(value, 4096));
                }
                break;
            case Http2SettingId.EnablePush when value > 1:
                throw new Http2ConnectionException(Http2ErrorCode.ProtocolError, "bad SETTINGS_ENABLE_PUSH");
            case Http2SettingId.MaxConcurrentStreams:
                lock (_lock)
                {
                    _peerMaxConcurrent = (int)Math.Min(value, int.MaxValue);
                }
                break;
            case Http2SettingId.InitialWindowSize:
                if (value > int.MaxValue)
                {
                    throw new Http2ConnectionException(Http2ErrorCode.FlowControlError, "SETTINGS_INITIAL_WINDOW_SIZE above 2^31-1");
                }
                lock (_lock)
                {
                    var delta = (int)value - _peerInitialWindow;
                    _peerInitialWindow = (int)value;
                    foreach (var s in _streams.Values)
                    {
                        s.SendWindow += delta;
                        var waiter = s.SendWaiter;
                        s.SendWaiter = null;
                        waiter?.TrySetResult();
                    }
                }
                break;
            case Http2SettingId.MaxFrameSize:
                if (value is < 16384 or > 16777215)
                {
                    throw new Http2ConnectionException(Http2ErrorCode.ProtocolError, "bad SETTINGS_MAX_FRAME_SIZE");
                }
                _writer.PeerMaxFrameSize = (int)value;
                break;
            default:
                break;
        }
    }

    private void OnPing(FrameHeader header, ReadOnlySpan<byte> payload)
    {
        if (header.StreamId != 0 || payload.Length != 8)
        {
            throw new Http2ConnectionException(Http2ErrorCode.FrameSizeError, "bad PING");
        }
        var data = BinaryPrimitives.ReadUInt64BigEndian(payload);
        if (!header.HasFlag(Http2Flags.Ack))
        {
            _writer.TryEnqueue(new OutboundFrame(Http2FrameType.Ping, Http2Flags.Ack, 0, null, 8, data));
            return;
        }
        Interlocked.Exchange(ref _keepAlivePingSent, 0);
        if (_pings.TryRemove(data, out var ping))
        {
            ping.Done.TrySetResult(_time.GetElapsedTime(ping.Sent));
        }
    }

    private void KeepAliveTick()
    {
        var sent = Interlocked.Read(ref _keepAlivePingSent);
        if (sent != 0)
        {
            if (_time.GetElapsedTime(sent) >= _options.KeepAliveTimeout)
            {
                Abort();
            }
            return;
        }
        Interlocked.Exchange(ref _keepAlivePingSent, _time.GetTimestamp());
        _writer.TryEnqueue(new OutboundFrame(Http2FrameType.Ping, 0, 0, null, 8, 0));
    }

    private void FailPings()
    {
        foreach (var ping in _pings.Values)
        {
            ping.Done.TrySetException(new IOException("HTTP/2 connection closed"));
        }
    }

    private void SendSettings()
    {
        var settings = new List<(Http2SettingId, int)>
        {
            (Http2SettingId.HeaderTableSize, _options.HeaderTableSize),
            (Http2SettingId.MaxConcurrentStreams, _options.MaxConcurrentStreams),
            (Http2SettingId.InitialWindowSize, _options.StreamWindowSize),
            (Http2SettingId.MaxFrameSize, _options.MaxFrameSize),
            (Http2SettingId.MaxHeaderListSize, _options.MaxHeaderListSize),
        };
        if (!_isServer)
        {
            settings.Insert(1, (Http2SettingId.EnablePush, 0));
        }
        var payload = ArrayPool<byte>.Shared.Rent(settings.Count * 6);
        for (var i = 0; i < settings.Count; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(payload.AsSpan(i * 6), (ushort)settings[i].Item1);
            BinaryPrimitives.WriteUInt32BigEndian(payload.AsSpan((i * 6) + 2), (uint)settings[i].Item2);
        }
        _writer.TryEnqueue(new OutboundFrame(Http2FrameType.Settings, 0, 0, payload, settings.Count * 6, 0));
    }

    private void SendWindowUpdate(int streamId, int increment) =>
        _writer.TryEnqueue(new OutboundFrame(Http2FrameType.WindowUpdate, 0, streamId, null, 4, (uint)increment));

    private void SendRstStream(int streamId, Http2ErrorCode code) =>
        _writer.TryEnqueue(new OutboundFrame(Http2FrameType.RstStream, 0, streamId, null, 4, (uint)code));

    private void SendGoAway(int lastStreamId, Http2ErrorCode code) =>
        _writer.TryEnqueue(new OutboundFrame(Http2FrameType.GoAway, 0, 0, null, 8, ((ulong)(uint)lastStreamId << 32) | (uint)code));

    /// <summary>HPACK-encodes and queues a header block; the caller holds <see cref="_headerLock"/> so blocks leave in encoding order.</summary>
    private void EnqueueHeadersLocked(int streamId, IReadOnlyList<HeaderField> headers, bool endStream)
    {
        var block = new ArrayBufferWriter<byte>(256);
        _encoder.Encode(headers, block);
        var payload = ArrayPool<byte>.Shared.Rent(block.WrittenCount);
        block.WrittenSpan.CopyTo(payload);
        _writer.TryEnqueue(new OutboundFrame(Http2FrameType.Headers, endStream ? Http2Flags.EndStream : (byte)0, streamId, payload, block.WrittenCount, 0));
    }
}
