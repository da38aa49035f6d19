using Prometheus;

namespace Mesh.Ztunnel.Metrics;

/// <summary>
/// The metrics of one open TCP connection: its series, resolved once at open; byte counts accumulate here (an
/// interlocked add, no allocation) and reach the counters on flush and on dispose, which also counts the connection
/// closed (once).
/// </summary>
public sealed class TcpConnectionMetrics : IDisposable
{
    private readonly TcpMetrics _owner;
    private readonly Counter.Child _closed;
    private readonly Counter.Child _received;
    private readonly Counter.Child _sent;
    private long _pendingRequest;
    private long _pendingResponse;
    private int _isClosed;

    internal TcpConnectionMetrics(TcpMetrics owner, TcpMetricLabels labels, Counter.Child closed, Counter.Child received, Counter.Child sent)
    {
        _owner = owner;
        Labels = labels;
        _closed = closed;
        _received = received;
        _sent = sent;
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
            _received.Inc(request);
        }
        var response = Interlocked.Exchange(ref _pendingResponse, 0);
        if (response != 0)
        {
            _sent.Inc(response);
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
        _closed.Inc();
    }
}
