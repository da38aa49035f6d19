using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Mesh.Ztunnel.Outbound;

namespace Mesh.Ztunnel.Metrics;

/// <summary>
/// Istio's TCP instruments (exported as <c>istio_tcp_connections_opened_total</c>,
/// <c>istio_tcp_connections_closed_total</c>, <c>istio_tcp_received_bytes_total</c> = bytes from the client to the
/// server, <c>istio_tcp_sent_bytes_total</c> = bytes from the server back to the client, Istio's meaning for both
/// reporters). Byte counts of open connections are kept per connection without allocation and added to the
/// counters on <see cref="FlushOpen"/> (wire it to the collector's BeforeCollect) and when the connection closes.
/// </summary>
public sealed class TcpMetrics : IDisposable
{
    public const string MeterName = "Mesh.Ztunnel";

    private readonly ConcurrentDictionary<TcpConnectionMetrics, byte> _open = new();

    public TcpMetrics(IMeterFactory? meterFactory = null)
    {
        Meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        ConnectionsOpened = Meter.CreateCounter<long>("istio_tcp_connections_opened", "{connection}",
            "The total number of TCP connections opened");
        ConnectionsClosed = Meter.CreateCounter<long>("istio_tcp_connections_closed", "{connection}",
            "The total number of TCP connections closed");
        ReceivedBytes = Meter.CreateCounter<long>("istio_tcp_received_bytes", "By",
            "The size of total bytes received during request in case of a TCP connection");
        SentBytes = Meter.CreateCounter<long>("istio_tcp_sent_bytes", "By",
            "The size of total bytes sent during response in case of a TCP connection");
    }

    public Meter Meter { get; }
    internal Counter<long> ConnectionsOpened { get; }
    internal Counter<long> ConnectionsClosed { get; }
    internal Counter<long> ReceivedBytes { get; }
    internal Counter<long> SentBytes { get; }

    /// <summary>Counts a connection as opened and returns its tracker; dispose it when the connection ends.</summary>
    public TcpConnectionMetrics Open(TcpMetricLabels labels)
    {
        ConnectionsOpened.Add(1, labels.Tags);
        var connection = new TcpConnectionMetrics(this, labels);
        _open.TryAdd(connection, 0);
        return connection;
    }

    /// <summary>Records a whole connection at once (opened, bytes both ways, closed), e.g. the source report of a finished plan.</summary>
    public void RecordFinished(OutboundPlan plan, long requestBytes, long responseBytes)
    {
        using var c = Open(TcpMetricLabels.ForOutbound(plan));
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

    public void Dispose() => Meter.Dispose();
}
