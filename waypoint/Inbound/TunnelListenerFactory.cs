using System.Net;
using System.Threading.Channels;
using Microsoft.AspNetCore.Connections;

namespace Mesh.Waypoint.Inbound;

/// <summary>
/// A Kestrel transport whose "accepted connections" are HBONE tunnels handed over by <see cref="HboneConnectHandler"/>.
/// It binds only <see cref="TunnelEndPoint"/> (sockets keep the IP endpoints), so one Kestrel server serves both
/// the HBONE listener on 15008 and the HTTP/1.1 inside the tunnels, with one request pipeline.
/// </summary>
public sealed class TunnelListenerFactory : IConnectionListenerFactory, IConnectionListenerFactorySelector
{
    private readonly Channel<ConnectionContext> _accepted = Channel.CreateUnbounded<ConnectionContext>(new UnboundedChannelOptions { SingleReader = false });

    public bool CanBind(EndPoint endpoint) => endpoint is TunnelEndPoint;

    /// <summary>Queues a tunnel for Kestrel; false when the server has stopped.</summary>
    public bool Enqueue(TunnelConnection connection) => _accepted.Writer.TryWrite(connection);

    public ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult<IConnectionListener>(new Listener(this, endpoint));

    private sealed class Listener(TunnelListenerFactory factory, EndPoint endpoint) : IConnectionListener
    {
        private readonly CancellationTokenSource _unbound = new();

        public EndPoint EndPoint => endpoint;

        public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _unbound.Token);
            try
            {
                return await factory._accepted.Reader.ReadAsync(linked.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ChannelClosedException)
            {
                return null;
            }
        }

        public ValueTask UnbindAsync(CancellationToken cancellationToken = default)
        {
            _unbound.Cancel();
            return ValueTask.CompletedTask;
        }

        public ValueTask DisposeAsync()
        {
            _unbound.Cancel();
            factory._accepted.Writer.TryComplete();
            return ValueTask.CompletedTask;
        }
    }
}
