using System.Net;
using System.Net.Sockets;
using Mesh.Core.Hbone.Http2;

namespace Mesh.Tests.Unit.Hbone.Http2;

/// <summary>A client and a server <see cref="Http2Connection"/> joined by a loopback TCP connection (no TLS).</summary>
internal sealed class Http2Pair : IAsyncDisposable
{
    private Http2Pair(Http2Connection client, Http2Connection server)
    {
        Client = client;
        Server = server;
    }

    public Http2Connection Client { get; }

    public Http2Connection Server { get; }

    public static async Task<Http2Pair> StartAsync(Func<Http2Stream, Task> onStream, Http2Options? clientOptions = null, Http2Options? serverOptions = null)
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        var clientSocket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        var accept = listener.AcceptAsync();
        await clientSocket.ConnectAsync(listener.LocalEndPoint!);
        var serverSocket = await accept;
        serverSocket.NoDelay = true;
        var server = Http2Connection.CreateServer(new NetworkStream(serverSocket, ownsSocket: true), serverOptions ?? new Http2Options(), onStream);
        var client = Http2Connection.CreateClient(new NetworkStream(clientSocket, ownsSocket: true), clientOptions ?? new Http2Options());
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await Task.WhenAll(server.StartAsync(timeout.Token), client.StartAsync(timeout.Token));
        return new Http2Pair(client, server);
    }

    /// <summary>Server handler: answers 200 and echoes until the client half-closes, then half-closes.</summary>
    public static async Task Echo(Http2Stream stream)
    {
        stream.SendHeaders([new(":status", "200")], endStream: false);
        await stream.CopyToAsync(stream);
        stream.CompleteWrites();
    }

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        await Server.DisposeAsync();
    }
}
