using Mesh.Core.Hbone.Hpack;
using Mesh.Core.Hbone.Http2;

namespace Mesh.Core.Hbone;

/// <summary>
/// Outbound HBONE: opens tunnels as HTTP/2 CONNECT streams over pooled mutual-TLS connections. A pool entry
/// per (source identity, source address, destination identity, HBONE address) holds connections shared by
/// streams up to the peer's SETTINGS_MAX_CONCURRENT_STREAMS; a new connection is made when all are full or
/// draining (one dial at a time per key, concurrent callers wait for it); idle connections are closed after
/// <see cref="HboneClientOptions.IdleTimeout"/>.
/// </summary>
public sealed class HboneClient : IAsyncDisposable
{
    private const int MaxAttempts = 4;

    private readonly HboneClientOptions _options;
    private readonly object _lock = new();
    private readonly Dictionary<HbonePoolKey, PoolEntry> _pool = [];
    private readonly ITimer _sweeper;
    private bool _disposed;

    public HboneClient(HboneClientOptions options)
    {
        _options = options;
        var period = TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerSecond, options.IdleTimeout.Ticks / 2));
        _sweeper = options.TimeProvider.CreateTimer(_ => SweepIdle(), null, period, period);
    }

    /// <summary>Open pooled connections (all keys).</summary>
    public int ConnectionCount
    {
        get
        {
            lock (_lock)
            {
                return _pool.Values.Sum(e => e.Connections.Count);
            }
        }
    }

    /// <summary>Opens a tunnel: CONNECT <see cref="HboneConnectRequest.Target"/>; on success the stream carries the bytes both ways.</summary>
    public async Task<HboneConnectResult> ConnectAsync(HboneConnectRequest request, CancellationToken cancellationToken)
    {
        var key = new HbonePoolKey(request.Source.Identity, request.SourceAddress, request.DestinationIdentity, request.HboneAddress);
        HeaderField[] headers = [new(":method", "CONNECT"), new(":authority", request.Target.ToString())];
        var last = HboneConnectResult.Failed(HboneError.ConnectionLost);
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var (connection, error, detail) = await AcquireAsync(key, request, cancellationToken);
            if (connection is null)
            {
                return HboneConnectResult.Failed(error, detail);
            }
            var opened = await connection.OpenStreamAsync(headers, cancellationToken);
            switch (opened.Error)
            {
                case Http2OpenError.None when opened.Status is >= 200 and < 300:
                    return new HboneConnectResult(opened.Stream, HboneError.None, opened.Status, null);
                case Http2OpenError.None:
                    await opened.Stream!.DisposeAsync();
                    return HboneConnectResult.Failed(HboneError.Refused, $"status {opened.Status}", opened.Status);
                case Http2OpenError.Reset when opened.ResetCode != Http2ErrorCode.RefusedStream:
                    return HboneConnectResult.Failed(HboneError.Reset, opened.ResetCode.ToString());
                default:
                    // full, draining, refused before processing, or lost: try another connection
                    last = HboneConnectResult.Failed(opened.Error == Http2OpenError.Reset ? HboneError.Reset : HboneError.ConnectionLost, opened.Error.ToString());
                    break;
            }
        }
        return last;
    }

    public async ValueTask DisposeAsync()
    {
        List<Http2Connection> all;
        lock (_lock)
        {
            _disposed = true;
            all = [.. _pool.Values.SelectMany(e => e.Connections)];
            _pool.Clear();
        }
        await _sweeper.DisposeAsync();
        await Task.WhenAll(all.Select(c => c.DisposeAsync().AsTask()));
    }

    /// <summary>Closes pooled connections idle for at least the idle timeout, and drops closed ones.</summary>
    internal void SweepIdle()
    {
        List<Http2Connection> idle = [];
        lock (_lock)
        {
            foreach (var (key, entry) in _pool.ToArray())
            {
                entry.Connections.RemoveAll(c =>
                {
                    var drop = c.Completion.IsCompleted || c.IsDraining && c.ActiveStreams == 0 || c.IdleTime >= _options.IdleTimeout;
                    if (drop)
                    {
                        idle.Add(c);
                    }
                    return drop;
                });
                if (entry.Connections.Count == 0 && entry.Pending is null)
                {
                    _pool.Remove(key);
                }
            }
        }
        foreach (var c in idle)
        {
            _ = c.ShutdownAsync();
        }
    }

    private async Task<(Http2Connection? Connection, HboneError Error, string? Detail)> AcquireAsync(
        HbonePoolKey key, HboneConnectRequest request, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task<(Http2Connection?, HboneError, string?)> pending;
            PoolEntry? entry;
            lock (_lock)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                if (!_pool.TryGetValue(key, out entry))
                {
                    entry = new PoolEntry();
                    _pool.Add(key, entry);
                }
                entry.Connections.RemoveAll(c => c.Completion.IsCompleted);
                foreach (var c in entry.Connections)
                {
                    if (c.AvailableStreams > 0)
                    {
                        return (c, HboneError.None, null);
                    }
                }
                entry.Pending ??= HboneConnector.ConnectAsync(request, _options);
                pending = entry.Pending;
            }
            var result = await pending.WaitAsync(cancellationToken);
            lock (_lock)
            {
                if (entry.Pending == pending)
                {
                    entry.Pending = null;
                    if (result.Item1 is { } made)
                    {
                        entry.Connections.Add(made);
                    }
                }
            }
            if (result.Item1 is null)
            {
                return result;
            }
            if (result.Item1.AvailableStreams > 0)
            {
                return result;
            }
        }
    }

    private sealed class PoolEntry
    {
        public List<Http2Connection> Connections { get; } = [];

        public Task<(Http2Connection?, HboneError, string?)>? Pending { get; set; }
    }
}
