using System.Buffers;
using System.Buffers.Binary;
using Mesh.Core.Hbone.Hpack;

namespace Mesh.Core.Hbone.Http2;

public sealed partial class Http2Connection
{
    private readonly ArrayBufferWriter<byte> _headerBlock = new();
    private int _continuationStreamId;
    private byte _continuationFlags;
    private bool _sawSettings;

    /// <summary>Why the reader ended: a connection error we detected, or null (peer closed, I/O error).</summary>
    public Http2ErrorCode? ConnectionError { get; private set; }

    private async Task RunReaderAsync()
    {
        var token = _abort.Token;
        try
        {
            if (_isServer)
            {
                await _reader.ReadPrefaceAsync(token);
            }
            while (await _reader.ReadFrameAsync(token))
            {
                OnFrame(_reader.Header, _reader.Payload);
            }
        }
        catch (Http2ConnectionException e)
        {
            ConnectionError = e.Code;
            lock (_lock)
            {
                _goAwaySent = true;
            }
            SendGoAway(_lastPeerStreamId, e.Code);
            _ = CloseGracefullyAsync(lingerForPeer: true);
            return;
        }
        catch (Exception)
        {
            // transport closed or failed
        }
        Abort();
    }

    private void OnFrame(FrameHeader header, ReadOnlySpan<byte> payload)
    {
        if (!_sawSettings && header.Type != Http2FrameType.Settings)
        {
            throw new Http2ConnectionException(Http2ErrorCode.ProtocolError, "the first frame must be SETTINGS");
        }
        if (_continuationStreamId != 0 && header.Type != Http2FrameType.Continuation)
        {
            throw new Http2ConnectionException(Http2ErrorCode.ProtocolError, "expected CONTINUATION");
        }
        switch (header.Type)
        {
            case Http2FrameType.Data:
                OnData(header, payload);
                break;
            case Http2FrameType.Headers:
                OnHeaders(header, payload);
                break;
            case Http2FrameType.Continuation:
                OnContinuation(header, payload);
                break;
            case Http2FrameType.Priority:
                if (header.StreamId == 0 || payload.Length != 5)
                {
                    throw new Http2ConnectionException(Http2ErrorCode.ProtocolError, "bad PRIORITY");
                }
                break;
            case Http2FrameType.RstStream:
                OnRstStream(header, payload);
                break;
            case Http2FrameType.Settings:
                OnSettings(header, payload);
                break;
            case Http2FrameType.Ping:
                OnPing(header, payload);
                break;
            case Http2FrameType.GoAway:
                OnGoAway(header, payload);
                break;
            case Http2FrameType.WindowUpdate:
                OnWindowUpdate(header, payload);
                break;
            case Http2FrameType.PushPromise:
                throw new Http2ConnectionException(Http2ErrorCode.ProtocolError, "PUSH_PROMISE with push disabled");
            default:
                break; // unknown frame types are ignored
        }
    }

    private void OnData(FrameHeader header, ReadOnlySpan<byte> payload)
    {
        if (header.StreamId == 0)
        {
            throw new Http2ConnectionException(Http2ErrorCode.ProtocolError, "DATA on stream 0");
        }
        lock (_lock)
        {
            _connectionReceiveWindow -= header.Length;
            if (_connectionReceiveWindow < 0)
            {
                throw new Http2ConnectionException(Http2ErrorCode.FlowControlError, "DATA beyond the connection window");
            }
        }
        var data = StripPadding(header, payload);
        var stream = FindStream(header.StreamId);
        if (stream is null || stream.RemoteEnded)
        {
            OnDiscarded(header.Length);
            if (stream is null && IsIdle(header.StreamId))
            {
                throw new Http2ConnectionException(Http2ErrorCode.ProtocolError, "DATA on an idle stream");
            }
            SendRstStream(header.StreamId, Http2ErrorCode.StreamClosed);
            return;
        }
        var endStream = header.HasFlag(Http2Flags.EndStream);
        if (!stream.OnData(data, header.Length, endStream, out var discard))
        {
            OnDiscarded(header.Length);
            stream.Reset(Http2ErrorCode.FlowControlError);
            StreamStateChanged(stream);
            return;
        }
        OnDiscarded(discard);
        if (endStream)
        {
            StreamStateChanged(stream);
        }
    }

    private void OnHeaders(FrameHeader header, ReadOnlySpan<byte> payload)
    {
        if (header.StreamId == 0)
        {
            throw new Http2ConnectionException(Http2ErrorCode.ProtocolError, "HEADERS on stream 0");
        }
        var fragment = StripPadding(header, payload);
        if (header.HasFlag(Http2Flags.Priority))
        {
            if (fragment.Length < 5)
            {
                throw new Http2ConnectionException(Http2ErrorCode.FrameSizeError, "HEADERS too short for its priority");
            }
            fragment = fragment[5..];
        }
        if (header.HasFlag(Http2Flags.EndHeaders))
        {
            OnHeaderBlock(header.StreamId, header.Flags, fragment);
            return;
        }
        _headerBlock.ResetWrittenCount();
        _headerBlock.Write(fragment);
        _continuationStreamId = header.StreamId;
        _continuationFlags = header.Flags;
    }

    private void OnContinuation(FrameHeader header, ReadOnlySpan<byte> payload)
    {
        if (_continuationStreamId == 0 || header.StreamId != _continuationStreamId)
        {
            throw new Http2ConnectionException(Http2ErrorCode.ProtocolError, "unexpected CONTINUATION");
        }
        if (_headerBlock.WrittenCount + payload.Length > _options.MaxHeaderListSize * 2)
        {
            throw new Http2ConnectionException(Http2ErrorCode.EnhanceYourCalm, "header block too large");
        }
        _headerBlock.Write(payload);
        if (header.HasFlag(Http2Flags.EndHeaders))
        {
            _continuationStreamId = 0;
            OnHeaderBlock(header.StreamId, _continuationFlags, _headerBlock.WrittenSpan);
        }
    }

    private void OnHeaderBlock(int streamId, byte flags, ReadOnlySpan<byte> block)
    {
        var fields = new List<HeaderField>();
        var status = _decoder.Decode(block, fields); // always decode: the table must stay in step
        if (status == HpackStatus.CompressionError)
        {
            throw new Http2ConnectionException(Http2ErrorCode.CompressionError, "bad HPACK block");
        }
        var endStream = (flags & Http2Flags.EndStream) != 0;
        var stream = FindStream(streamId);
        if (stream is not null)
        {
            if (!_isServer && stream.ResponseReceived is { Task.IsCompleted: false } response)
            {
                if (IsInformational(fields))
                {
                    return;
                }
                stream.Headers = fields;
                if (endStream)
                {
                    // Ended before the opener sees the response: a 403 with END_STREAM reads as ended at once.
                    stream.OnRemoteEnd();
                }
                response.TrySetResult(true);
            }
            else if (endStream)
            {
                stream.OnRemoteEnd();
            }
            if (endStream)
            {
                StreamStateChanged(stream);
            }
            return;
        }
        if (IsLocal(streamId) || streamId <= _lastPeerStreamId)
        {
            if (IsIdle(streamId))
            {
                throw new Http2ConnectionException(Http2ErrorCode.ProtocolError, "HEADERS on an idle stream");
            }
            return; // a stream we already closed
        }
        if (!_isServer)
        {
            throw new Http2ConnectionException(Http2ErrorCode.ProtocolError, "server-initiated stream");
        }
        OnNewPeerStream(streamId, fields, endStream, status);
    }

    private void OnNewPeerStream(int streamId, List<HeaderField> fields, bool endStream, HpackStatus status)
    {
        Http2Stream stream;
        lock (_lock)
        {
            _lastPeerStreamId = streamId;
            if (_goAwaySent || _closing || _activeRemote >= _options.MaxConcurrentStreams || status != HpackStatus.Ok)
            {
                stream = null!;
            }
            else
            {
                stream = new Http2Stream(this, streamId, _peerInitialWindow, _options.StreamWindowSize) { Headers = fields };
                _streams.Add(streamId, stream);
                _activeRemote++;
            }
        }
        if (stream is null)
        {
            SendRstStream(streamId, Http2ErrorCode.RefusedStream);
            _options.StreamRefused?.Invoke();
            CountPeerReset();
            return;
        }
        if (endStream)
        {
            stream.OnRemoteEnd();
        }
        var onStream = _onStream!;
        _ = Task.Run(async () =>
        {
            try
            {
                await onStream(stream);
            }
            catch (Exception)
            {
                stream.Reset(Http2ErrorCode.InternalError);
            }
            finally
            {
                stream.Dispose();
            }
        });
    }

    private void OnRstStream(FrameHeader header, ReadOnlySpan<byte> payload)
    {
        if (header.StreamId == 0 || payload.Length != 4)
        {
            throw new Http2ConnectionException(Http2ErrorCode.ProtocolError, "bad RST_STREAM");
        }
        var stream = FindStream(header.StreamId);
        if (stream is null && IsIdle(header.StreamId))
        {
            throw new Http2ConnectionException(Http2ErrorCode.ProtocolError, "RST_STREAM on an idle stream");
        }
        if (!IsLocal(header.StreamId))
        {
            CountPeerReset();
        }
        if (stream is null)
        {
            return;
        }
        stream.MarkReset((Http2ErrorCode)BinaryPrimitives.ReadUInt32BigEndian(payload));
        StreamStateChanged(stream);
    }

    private void OnGoAway(FrameHeader header, ReadOnlySpan<byte> payload)
    {
        if (header.StreamId != 0 || payload.Length < 8)
        {
            throw new Http2ConnectionException(Http2ErrorCode.ProtocolError, "bad GOAWAY");
        }
        var last = (int)(BinaryPrimitives.ReadUInt32BigEndian(payload) & 0x7fffffff);
        List<Http2Stream> refused = [];
        bool idle;
        lock (_lock)
        {
            _goAwayLastStreamId = Math.Min(_goAwayLastStreamId, last);
            foreach (var s in _streams.Values)
            {
                if (IsLocal(s.Id) && s.Id > last)
                {
                    refused.Add(s);
                }
            }
            idle = _activeLocal + _activeRemote - refused.Count == 0;
        }
        foreach (var s in refused)
        {
            s.MarkReset(Http2ErrorCode.RefusedStream);
            StreamStateChanged(s);
        }
        if (idle)
        {
            _ = CloseGracefullyAsync();
        }
    }

    /// <summary>A stream the peer opened was reset by it or refused by us: over the budget it is a rapid-reset attack.</summary>
    private void CountPeerReset()
    {
        if (!_resets.OnReset(_time.GetElapsedTime(_startedAt)))
        {
            throw new Http2ConnectionException(Http2ErrorCode.EnhanceYourCalm, "the peer resets streams faster than allowed (rapid reset)");
        }
    }

    private Http2Stream? FindStream(int id)
    {
        lock (_lock)
        {
            return _streams.GetValueOrDefault(id);
        }
    }

    /// <summary>A stream id that was never opened by either side.</summary>
    private bool IsIdle(int streamId) => IsLocal(streamId) ? streamId >= _nextStreamId : streamId > _lastPeerStreamId;

    private static bool IsInformational(List<HeaderField> fields)
    {
        foreach (var f in fields)
        {
            if (f.Name == ":status")
            {
                return f.Value.Length == 3 && f.Value[0] == '1';
            }
        }
        return false;
    }

    private static ReadOnlySpan<byte> StripPadding(FrameHeader header, ReadOnlySpan<byte> payload)
    {
        if (!header.HasFlag(Http2Flags.Padded))
        {
            return payload;
        }
        if (payload.Length < 1 || payload[0] >= payload.Length)
        {
            throw new Http2ConnectionException(Http2ErrorCode.ProtocolError, "padding longer than the frame");
        }
        return payload[1..^payload[0]];
    }
}
