namespace Mesh.Ztunnel.Metrics;

/// <summary>
/// The metrics of one open TCP connection: its series, resolved once at open; byte counts accumulate here (an
/// interlocked add, no allocation) and reach the counters on flush and on dispose, which also counts the connection
/// closed (once).
/// </summary>
public sealed class TcpConnectionMetrics : IDisposable
{
    private readonly TcpMetrics _owner;
    private readonly TcpMetrics.TcpSeries _series;
    private long _pendingRequest;
    private long _pendingResponse;
    private int _isClosed;

    internal TcpConnectionMetrics(TcpMetrics owner, TcpMetricLabels labels, TcpMetrics.TcpSeries series)
    {
        _owner = owner;
        Labels = labels;
        _series = series;
    }

    public TcpMetricLabels Labels { get; }

    /// <summary>Bytes from the client towards the server (istio_tcp_received_bytes_total).</summary>
    public void AddRequestBytes(long bytes) => Interlocked.Add(ref _pendingRequest, bytes);

    /// <summary>Bytes from the server back to the client (istio_tcp_sent_bytes_total).</summary>
    public void AddResponseBytes(long bytes) => Interlocked.Add(ref _pendingResponse, bytes);

    public void Flush()
    {
        var request = Interlocked.Exchange(ref _pendingRequest, 0);
        if (request != 0)
        {
            _series.Received.Inc(request);
        }
        var response = Interlocked.Exchange(ref _pendingResponse, 0);
        if (response != 0)
        {
            _series.Sent.Inc(response);
        }
    }

    /// <summary>Flushes and counts the connection closed; later calls do nothing.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _isClosed, 1) != 0)
        {
            return;
        }
        _owner.Closed(this);
        Flush();
        _series.Closed.Inc();
    }
}
