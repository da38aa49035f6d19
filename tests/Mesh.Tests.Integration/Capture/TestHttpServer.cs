using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Mesh.Native;

namespace Mesh.Tests.Integration.Capture;

/// <summary>
/// A tiny HTTP/1.1 server listening inside a pod's namespace (socket made with the safe setns
/// pattern). It answers every request with "peer=IP:PORT", the peer it accepted, and records it.
/// </summary>
internal sealed class TestHttpServer : IDisposable
{
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();

    public TestHttpServer(CaptureTestPod pod, int port)
    {
        _listener = NetNs.CreateTcpSocket(pod.NetnsPath, new NetNsSocketOptions());
        _listener.Bind(new IPEndPoint(IPAddress.Any, port));
        _listener.Listen(64);
        Endpoint = new IPEndPoint(pod.Ip, port);
        _ = Task.Run(AcceptAsync);
    }

    public IPEndPoint Endpoint { get; }

    public ConcurrentQueue<IPEndPoint> Peers { get; } = new();

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stop.Token);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
            {
                return;
            }
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(Socket client)
    {
        using var _ = client;
        var peer = (IPEndPoint)client.RemoteEndPoint!;
        Peers.Enqueue(peer);
        var buffer = new byte[4096];
        var received = new StringBuilder();
        try
        {
            while (!received.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                var n = await client.ReceiveAsync(buffer, SocketFlags.None);
                if (n == 0)
                {
                    break;
                }
                received.Append(Encoding.ASCII.GetString(buffer, 0, n));
            }
            var body = $"peer={peer}";
            var response = $"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n{body}";
            await client.SendAsync(Encoding.ASCII.GetBytes(response), SocketFlags.None);
            client.Shutdown(SocketShutdown.Send);
            while (await client.ReceiveAsync(buffer, SocketFlags.None) > 0)
            {
            }
        }
        catch (SocketException)
        {
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Dispose();
        _stop.Dispose();
    }
}
