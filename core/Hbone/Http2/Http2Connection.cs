using Mesh.Core.Hbone.Hpack;

namespace Mesh.Core.Hbone.Http2;

/// <summary>
/// One HTTP/2 connection over an already secured transport, client or server role. Two loops run per
/// connection: the reader (frames in, dispatch, HPACK decode) and the writer (<see cref="Http2FrameWriter"/>).
/// Streams are <see cref="Http2Stream"/>s. Flow control is enforced both ways with the windows of
/// <see cref="Http2Options"/>. This file: lifecycle; Receive.cs: frame dispatch; Send.cs: output and windows.
/// </summary>
public sealed partial class Http2Connection : IAsyncDisposable
{
    private const int DefaultWindow = 65535;

    private readonly Stream _transport;
    private readonly bool _isServer;
    private readonly Http2Options _options;
    private readonly Func<Http2Stream, Task>? _onStream;
    private readonly Http2FrameReader _reader;
    private readonly Http2FrameWriter _writer;
    private readonly HpackDecoder _decoder;
    private readonly HpackEncoder _encoder = new();
    private readonly object _headerLock = new(); // HPACK encoder + stream id order
    private readonly object _lock = new();       // streams, windows, state
    private readonly Dictionary<int, Http2Stream> _streams = [];
    private readonly List<Http2Stream> _connectionWindowWaiters = [];
    private readonly TaskCompletionSource _settingsReceived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _abort = new();
    private readonly TimeProvider _time;

    private int _nextStreamId;
    private int _lastPeerStreamId;
    private int _activeLocal;        // streams we opened, not finished
    private int _activeRemote;       // streams the peer opened, not finished
    private long _connectionSendWindow = DefaultWindow;
    private int _peerInitialWindow = DefaultWindow;
    private int _peerMaxConcurrent = int.MaxValue;
    private int _connectionReceiveWindow;
    private int _connectionUnacked;
    private bool _goAwaySent;
    private int _goAwayLastStreamId = int.MaxValue; // from the peer's GOAWAY
    private bool _closing;
    private bool _aborted;
    private long _idleSince;
    private Task _readLoop = Task.CompletedTask;
    private Task _writeLoop = Task.CompletedTask;
    private ITimer? _keepAlive;
    private ITimer? _idleTimer;
    private readonly RapidResetDetector _resets;
    private readonly long _startedAt;

    private Http2Connection(Stream transport, bool isServer, Http2Options options, Func<Http2Stream, Task>? onStream)
    {
        _transport = transport;
        _isServer = isServer;
        _options = options;
        _onStream = onStream;
        _time = options.TimeProvider;
        _reader = new Http2FrameReader(transport, options.MaxFrameSize);
        _writer = new Http2FrameWriter(transport);
        _decoder = new HpackDecoder(options.HeaderTableSize, options.MaxHeaderListSize);
        _nextStreamId = isServer ? 2 : 1;
        _connectionReceiveWindow = options.ConnectionWindowSize;
        _idleSince = _time.GetTimestamp();
        _startedAt = _idleSince;
        _resets = new RapidResetDetector(options.RapidResetBurst, options.RapidResetPerSecond);
    }

    /// <summary>A client connection; call <see cref="StartAsync"/> before opening streams.</summary>
    public static Http2Connection CreateClient(Stream transport, Http2Options options) => new(transport, false, options, null);

    /// <summary>A server connection; <paramref name="onStream"/> runs (on the thread pool) for each stream the peer opens, with its request in <see cref="Http2Stream.Headers"/>.</summary>
    public static Http2Connection CreateServer(Stream transport, Http2Options options, Func<Http2Stream, Task> onStream) =>
        new(transport, true, options, onStream);

    /// <summary>Completes when the connection is closed (transport gone, both loops ended).</summary>
    public Task Completion => _closed.Task;

    public bool IsServer => _isServer;

    /// <summary>True once the connection takes no new streams (GOAWAY either way, or closed).</summary>
    public bool IsDraining
    {
        get
        {
            lock (_lock)
            {
                return _closing || _goAwaySent || _goAwayLastStreamId != int.MaxValue;
            }
        }
    }

    /// <summary>Streams open in either direction.</summary>
    public int ActiveStreams
    {
        get
        {
            lock (_lock)
            {
                return _activeLocal + _activeRemote;
            }
        }
    }

    /// <summary>Streams we may still open before reaching the peer's SETTINGS_MAX_CONCURRENT_STREAMS.</summary>
    public int AvailableStreams
    {
        get
        {
            lock (_lock)
            {
                return IsDrainingLocked() ? 0 : Math.Max(0, _peerMaxConcurrent - _activeLocal);
            }
        }
    }

    /// <summary>How long no stream has been open (zero while streams are open).</summary>
    public TimeSpan IdleTime
    {
        get
        {
            lock (_lock)
            {
                return _activeLocal + _activeRemote > 0 ? TimeSpan.Zero : _time.GetElapsedTime(_idleSince);
            }
        }
    }

    /// <summary>
    /// Starts the loops: sends the preface (client), SETTINGS and the connection window, then waits until the
    /// peer's SETTINGS arrived (so its limits are known). On failure the connection is closed and this throws.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!_isServer)
        {
            _writer.TryEnqueue(new OutboundFrame(Http2FrameWriter.RawBytes, 0, 0, CopyToPooled(Http2FrameReader.ClientPreface), Http2FrameReader.ClientPreface.Length, 0));
        }
        SendSettings();
        if (_options.ConnectionWindowSize > DefaultWindow)
        {
            SendWindowUpdate(0, _options.ConnectionWindowSize - DefaultWindow);
        }
        _writeLoop = Task.Run(RunWriterAsync, CancellationToken.None);
        _readLoop = Task.Run(RunReaderAsync, CancellationToken.None);
        if (_options.KeepAliveInterval is { } interval)
        {
            _keepAlive = _time.CreateTimer(_ => KeepAliveTick(), null, interval, interval);
        }
        if (_isServer && _options.IdleTimeout is { } idle)
        {
            var period = TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerMillisecond * 100, idle.Ticks / 4));
            _idleTimer = _time.CreateTimer(_ => IdleTick(idle), null, period, period);
        }
        try
        {
            await _settingsReceived.Task.WaitAsync(cancellationToken);
        }
        catch
        {
            Abort();
            throw;
        }
    }

    /// <summary>Opens a stream with <paramref name="headers"/> (client role) and waits for the response headers.</summary>
    public async Task<Http2OpenResult> OpenStreamAsync(IReadOnlyList<HeaderField> headers, CancellationToken cancellationToken)
    {
        Http2Stream stream;
        lock (_headerLock)
        {
            lock (_lock)
            {
                if (IsDrainingLocked())
                {
                    return Http2OpenResult.Failed(Http2OpenError.ConnectionClosing);
                }
                if (_activeLocal >= _peerMaxConcurrent)
                {
                    return Http2OpenResult.Failed(Http2OpenError.NoCapacity);
                }
                stream = new Http2Stream(this, _nextStreamId, _peerInitialWindow, _options.StreamWindowSize)
                {
                    ResponseReceived = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously),
                };
                _nextStreamId += 2;
                _streams.Add(stream.Id, stream);
                _activeLocal++;
            }
            EnqueueHeadersLocked(stream.Id, headers, endStream: false);
        }
        bool answered;
        try
        {
            answered = await stream.ResponseReceived!.Task.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            stream.Dispose();
            throw;
        }
        if (answered)
        {
            return new Http2OpenResult(stream, stream.Headers, Http2OpenError.None, Http2ErrorCode.NoError);
        }
        var code = stream.ResetCode ?? Http2ErrorCode.Cancel;
        stream.Dispose();
        var lost = _closed.Task.IsCompleted || code == Http2ErrorCode.RefusedStream && IsDraining;
        return Http2OpenResult.Failed(lost ? Http2OpenError.ConnectionLost : Http2OpenError.Reset, code);
    }

    /// <summary>Graceful close: GOAWAY, no new streams, wait for open streams (up to <see cref="Http2Options.DrainTimeout"/>), then close.</summary>
    public async Task ShutdownAsync(CancellationToken cancellationToken = default)
    {
        bool idle;
        lock (_lock)
        {
            if (!_goAwaySent)
            {
                _goAwaySent = true;
                SendGoAway(_lastPeerStreamId, Http2ErrorCode.NoError);
            }
            idle = _activeLocal + _activeRemote == 0;
        }
        if (idle)
        {
            await CloseGracefullyAsync();
            return;
        }
        try
        {
            await _closed.Task.WaitAsync(_options.DrainTimeout, _time, cancellationToken);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            Abort();
        }
    }

    /// <summary>Closes at once: the transport is disposed and every open stream fails.</summary>
    public void Abort()
    {
        Http2Stream[] streams;
        lock (_lock)
        {
            if (_aborted)
            {
                return;
            }
            _aborted = true;
            _closing = true;
            streams = [.. _streams.Values];
        }
        _keepAlive?.Dispose();
        _idleTimer?.Dispose();
        _abort.Cancel();
        _writer.Complete();
        try
        {
            _transport.Dispose();
        }
        catch (IOException)
        {
        }
        foreach (var s in streams)
        {
            s.MarkReset(Http2ErrorCode.Cancel);
            StreamStateChanged(s);
        }
        _settingsReceived.TrySetException(new IOException("HTTP/2 connection closed before SETTINGS"));
        FailPings();
        _ = Task.WhenAll(_readLoop, _writeLoop).ContinueWith(
            _ =>
            {
                _reader.Release();
                _closed.TrySetResult();
            },
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    public async ValueTask DisposeAsync()
    {
        Abort();
        await _closed.Task;
        _abort.Dispose();
    }

    /// <summary>Idle timer (server role): a connection without streams for the idle timeout is closed with GOAWAY.</summary>
    private void IdleTick(TimeSpan idle)
    {
        if (IdleTime >= idle && !IsDraining)
        {
            IdleClosed = true;
            _ = ShutdownAsync();
        }
    }

    /// <summary>True when the connection was closed because it had no stream for <see cref="Http2Options.IdleTimeout"/>.</summary>
    public bool IdleClosed { get; private set; }

    private bool IsDrainingLocked() => _closing || _goAwaySent || _goAwayLastStreamId != int.MaxValue;

    /// <summary>Called when a stream's state moved; removes it once both sides ended or it was reset.</summary>
    internal void StreamStateChanged(Http2Stream stream)
    {
        bool closeNow;
        lock (_lock)
        {
            if (stream.Finished || !(stream.IsReset || stream.LocalEnded && stream.RemoteEnded))
            {
                return;
            }
            stream.Finished = true;
            _streams.Remove(stream.Id);
            _connectionWindowWaiters.Remove(stream);
            if (IsLocal(stream.Id))
            {
                _activeLocal--;
            }
            else
            {
                _activeRemote--;
            }
            if (_activeLocal + _activeRemote == 0)
            {
                _idleSince = _time.GetTimestamp();
            }
            closeNow = !_closing && _activeLocal + _activeRemote == 0 && (_goAwaySent || _goAwayLastStreamId != int.MaxValue);
        }
        if (closeNow)
        {
            _ = CloseGracefullyAsync();
        }
    }

    private bool IsLocal(int streamId) => (streamId & 1) == (_isServer ? 0 : 1);

    private async Task CloseGracefullyAsync(bool lingerForPeer = false)
    {
        lock (_lock)
        {
            if (_closing)
            {
                return;
            }
            _closing = true;
        }
        _writer.Complete();
        try
        {
            await _writeLoop.WaitAsync(TimeSpan.FromSeconds(5), _time);
        }
        catch (Exception)
        {
            // the writer failed or hung; Abort below closes the transport
        }
        if (lingerForPeer)
        {
            await DiscardUntilPeerClosesAsync();
        }
        Abort();
    }

    /// <summary>
    /// Reads and drops what the peer still sends, until it closes or <see cref="Http2Options.ErrorLinger"/> passes, so
    /// that the close which follows is a FIN after our GOAWAY rather than a RST that may overtake it. Only after the
    /// reader loop has stopped (a connection error), so nothing else reads the transport.
    /// </summary>
    private async Task DiscardUntilPeerClosesAsync()
    {
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(16 * 1024);
        using var linger = CancellationTokenSource.CreateLinkedTokenSource(_abort.Token);
        linger.CancelAfter(_options.ErrorLinger);
        try
        {
            while (await _transport.ReadAsync(buffer, linger.Token) > 0)
            {
            }
        }
        catch (Exception)
        {
            // the linger ran out, the peer reset, or the connection was aborted: close now either way
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task RunWriterAsync()
    {
        try
        {
            await _writer.RunAsync();
        }
        catch (Exception)
        {
            Abort();
        }
    }

    private static byte[] CopyToPooled(ReadOnlySpan<byte> data)
    {
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(Math.Max(1, data.Length));
        data.CopyTo(buffer);
        return buffer;
    }
}
