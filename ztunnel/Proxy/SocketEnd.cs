using System.Net.Sockets;

namespace Mesh.Ztunnel.Proxy;

/// <summary>A socket as one side of a relay.</summary>
internal readonly struct SocketEnd(Socket socket) : IRelayEnd
{
    public ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken) =>
        socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        var sent = 0;
        while (sent < data.Length)
        {
            sent += await socket.SendAsync(data[sent..], SocketFlags.None, cancellationToken).ConfigureAwait(false);
        }
    }

    public void CompleteWrites() => socket.Shutdown(SocketShutdown.Send);

    public void Reset() => SocketReset.Reset(socket);
}
