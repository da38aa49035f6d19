using System.Net.Sockets;

namespace Mesh.Ztunnel.Proxy;

/// <summary>
/// The abnormal end of a proxied socket: SO_LINGER {on, 0} and close, so the kernel sends RST and drops what is
/// still unsent. A peer that sees a reset knows the data did not all arrive; a FIN would say it did.
/// </summary>
public static class SocketReset
{
    public static void Reset(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // already closed: nothing left to reset
        }
        socket.Dispose();
    }
}
