using System.IO.Pipelines;
using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;

namespace Mesh.Waypoint.Inbound;

/// <summary>
/// One HBONE tunnel presented to Kestrel as a connection: its input is the CONNECT request body, its output the
/// CONNECT response body. Kestrel parses the HTTP/1.1 inside it like any socket connection. The local end point is
/// the original destination, the remote end point the tunnel's source.
/// </summary>
public sealed class TunnelConnection : ConnectionContext, IConnectionLifetimeFeature, IConnectionEndPointFeature, IConnectionIdFeature,
    IConnectionTransportFeature, IConnectionItemsFeature
{
    private static long _next;
    private readonly CancellationTokenSource _closed = new();
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Action<Exception?> _abort;

    public TunnelConnection(TunnelFeature tunnel, IDuplexPipe transport, Action<Exception?> abort)
    {
        Tunnel = tunnel;
        Transport = transport;
        _abort = abort;
        ConnectionId = "hbone-" + Interlocked.Increment(ref _next).ToString(System.Globalization.CultureInfo.InvariantCulture);
        LocalEndPoint = tunnel.Destination;
        RemoteEndPoint = tunnel.Source;
        var features = new FeatureCollection();
        features.Set<IConnectionLifetimeFeature>(this);
        features.Set<IConnectionEndPointFeature>(this);
        features.Set<IConnectionIdFeature>(this);
        features.Set<IConnectionTransportFeature>(this);
        features.Set<IConnectionItemsFeature>(this);
        features.Set(tunnel);
        Features = features;
    }

    public TunnelFeature Tunnel { get; }

    public override string ConnectionId { get; set; }

    public override IFeatureCollection Features { get; }

    public override IDictionary<object, object?> Items { get; set; } = new Dictionary<object, object?>();

    public override IDuplexPipe Transport { get; set; }

    public override EndPoint? LocalEndPoint { get; set; }

    public override EndPoint? RemoteEndPoint { get; set; }

    public override CancellationToken ConnectionClosed
    {
        get => _closed.Token;
        set => throw new NotSupportedException();
    }

    /// <summary>Completes when Kestrel is done with the connection (it disposes it).</summary>
    public Task Done => _done.Task;

    /// <summary>The tunnel went away underneath (the peer reset it or the HTTP/2 connection died).</summary>
    public void PeerClosed()
    {
        try
        {
            _closed.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    public override void Abort(ConnectionAbortedException abortReason)
    {
        _abort(abortReason);
        PeerClosed();
    }

    public override async ValueTask DisposeAsync()
    {
        _done.TrySetResult();
        _closed.Dispose();
        await base.DisposeAsync();
    }
}
