using System.Net;
using System.Net.Sockets;

namespace Mesh.Tests.Unit.Hbone;

/// <summary>A loopback TCP echo server: echoes each connection and half-closes after the client does.</summary>
internal sealed class EchoServer : IDisposable
{
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);

    public EchoServer()
    {
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(1024);
        _ = AcceptLoopAsync();
    }

    public IPEndPoint EndPoint => (IPEndPoint)_listener.LocalEndPoint!;

    public void Dispose() => _listener.Dispose();

    private async Task AcceptLoopAsync()
    {
        while (true)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync();
            }
            catch (Exception)
            {
                return;
            }
            _ = Task.Run(async () =>
            {
                using (socket)
                {
                    var buffer = new byte[16 * 1024];
                    try
                    {
                        int n;
                        while ((n = await socket.ReceiveAsync(buffer)) > 0)
                        {
                            await socket.SendAsync(buffer.AsMemory(0, n));
                        }
                        socket.Shutdown(SocketShutdown.Send);
                    }
                    catch (SocketException)
                    {
                    }
                }
            });
        }
    }
}
