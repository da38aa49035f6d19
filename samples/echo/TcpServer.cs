using System.Net;
using System.Net.Sockets;

namespace Mesh.Samples.Echo;

/// <summary>Raw TCP: <c>tcp-echo</c> writes back every byte it reads; <c>tcp-sink</c> reads and discards. Each closed connection logs one line.</summary>
internal static class TcpServer
{
    public static async Task<int> RunAsync(EchoOptions o, CancellationToken ct)
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Bind(new IPEndPoint(o.Listen, o.Port));
        listener.Listen(512);
        Console.WriteLine($"echo: {o.PodName} listening on {o.Listen}:{o.Port} ({o.Mode})");
        try
        {
            while (true)
            {
                var s = await listener.AcceptAsync(ct);
                _ = ServeAsync(s, o, ct);
            }
        }
        catch (OperationCanceledException)
        {
            return 0;
        }
    }

    private static async Task ServeAsync(Socket s, EchoOptions o, CancellationToken ct)
    {
        var peer = s.RemoteEndPoint?.ToString() ?? "?";
        long total = 0;
        var buffer = new byte[64 * 1024];
        try
        {
            using (s)
            {
                int n;
                while ((n = await s.ReceiveAsync(buffer, SocketFlags.None, ct)) > 0)
                {
                    total += n;
                    if (o.Mode == "tcp-echo")
                    {
                        await s.SendAsync(buffer.AsMemory(0, n), SocketFlags.None, ct);
                    }
                }
                s.Shutdown(SocketShutdown.Send);
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
        if (!o.Quiet)
        {
            Console.WriteLine($"echo: {o.PodName} {o.Mode} from {peer} closed after {total}B");
        }
    }
}
