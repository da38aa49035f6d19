using System.Collections.Concurrent;
using Mesh.Core.Metrics;
using Prometheus;

namespace Mesh.Ztunnel.Metrics;

/// <summary>
/// Istio's TCP counters on the ztunnel's <see cref="MetricsRegistry"/>: <c>istio_tcp_connections_opened_total</c>,
/// <c>istio_tcp_connections_closed_total</c>, <c>istio_tcp_received_bytes_total</c> = bytes from the client to the
/// server, <c>istio_tcp_sent_bytes_total</c> = bytes from the server back to the client (Istio's meaning for both
/// reporters), labelled by <see cref="IstioLabels.TcpNames"/>. A connection finds its four series once when it opens
/// (<see cref="SeriesCache{TSeries}"/>);
/// its byte counts are kept without allocation and added to the counters before every scrape (<see cref="FlushOpen"/>,
/// registered on the registry) and when it closes.
/// </summary>
public sealed class TcpMetrics
{
    private readonly ConcurrentDictionary<TcpConnectionMetrics, byte> _open = new();
    private readonly SeriesCache<TcpSeries> _series;

    public TcpMetrics(MetricsRegistry registry)
    {
        Registry = registry;
        var f = registry.Factory;
        var opened = f.CreateCounter("istio_tcp_connections_opened_total", "The total number of TCP connections opened", IstioLabels.TcpNames);
        var closed = f.CreateCounter("istio_tcp_connections_closed_total", "The total number of TCP connections closed", IstioLabels.TcpNames);
        var received = f.CreateCounter("istio_tcp_received_bytes_total",
            "The size of total bytes received during request in case of a TCP connection", IstioLabels.TcpNames);
        var sent = f.CreateCounter("istio_tcp_sent_bytes_total",
            "The size of total bytes sent during response in case of a TCP connection", IstioLabels.TcpNames);
        _series = new SeriesCache<TcpSeries>(v => new TcpSeries(opened.WithLabels(v), closed.WithLabels(v), received.WithLabels(v), sent.WithLabels(v)));
        registry.BeforeCollect(FlushOpen);
    }

    /// <summary>A registry of its own (tests, tools).</summary>
    public TcpMetrics() : this(new MetricsRegistry())
    {
    }

    /// <summary>Where these counters (and the ztunnel's other collectors) are registered and scraped from.</summary>
    public MetricsRegistry Registry { get; }

    /// <summary>Counts a connection as opened and returns its tracker; dispose it when the connection ends.</summary>
    public TcpConnectionMetrics Open(TcpMetricLabels labels)
    {
        var series = _series.Get(labels.Values.Values);
        var connection = new TcpConnectionMetrics(this, labels, series);
        series.Opened.Inc();
        _open.TryAdd(connection, 0);
        return connection;
    }

    /// <summary>Records a whole connection at once (opened, bytes both ways, closed).</summary>
    public void RecordFinished(TcpMetricLabels labels, long requestBytes, long responseBytes)
    {
        using var c = Open(labels);
        c.AddRequestBytes(requestBytes);
        c.AddResponseBytes(responseBytes);
    }

    /// <summary>Adds the bytes counted so far by open connections to the counters.</summary>
    public void FlushOpen()
    {
        foreach (var c in _open.Keys)
        {
            c.Flush();
        }
    }

    public int OpenConnections => _open.Count;

    internal void Closed(TcpConnectionMetrics connection) => _open.TryRemove(connection, out _);

    /// <summary>The four series of one label set.</summary>
    internal sealed record TcpSeries(Counter.Child Opened, Counter.Child Closed, Counter.Child Received, Counter.Child Sent);
}
