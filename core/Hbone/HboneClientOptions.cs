using System.Net.Sockets;
using Mesh.Core.Hbone.Http2;

namespace Mesh.Core.Hbone;

/// <summary>Settings of the outbound HBONE client and its connection pool.</summary>
public sealed record HboneClientOptions
{
    public Http2Options Http2 { get; init; } = new();

    /// <summary>A pooled connection with no stream for this long is closed.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Limit for TCP connect + TLS handshake + the peer's SETTINGS.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Makes the TCP connection; the default connects a plain socket from the current namespace.</summary>
    public HboneSocketFactory SocketFactory { get; init; } = DefaultSocketFactory;

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    private static async ValueTask<Socket> DefaultSocketFactory(System.Net.IPEndPoint destination, System.Net.IPAddress? source, CancellationToken cancellationToken)
    {
        var socket = new Socket(destination.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(destination, cancellationToken);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
