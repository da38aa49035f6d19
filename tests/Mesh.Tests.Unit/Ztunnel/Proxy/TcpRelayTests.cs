using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Mesh.Ztunnel.Proxy;

namespace Mesh.Tests.Unit.Ztunnel.Proxy;

public sealed class TcpRelayTests
{
    // A bound on a hung relay, not a timing assertion.
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static async Task<(Socket A, Socket B)> PairAsync()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var a = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var accept = listener.AcceptAsync();
        await a.ConnectAsync(listener.LocalEndPoint!);
        return (a, await accept);
    }

    private static async Task<byte[]> ReadToEndAsync(Socket socket)
    {
        using var all = new MemoryStream();
        var buffer = new byte[8192];
        int n;
        while ((n = await socket.ReceiveAsync(buffer, SocketFlags.None)) > 0)
        {
            all.Write(buffer, 0, n);
        }
        return all.ToArray();
    }

    private static async Task SendAllAsync(Socket socket, byte[] data)
    {
        var sent = 0;
        while (sent < data.Length)
        {
            sent += await socket.SendAsync(data.AsMemory(sent), SocketFlags.None);
        }
    }

    [Fact]
    public async Task RunAsync_BulkOneWayReplyOther_BytesIntactHalfClosesPassedAndCounted()
    {
        var (client, relayIn) = await PairAsync();
        var (relayOut, server) = await PairAsync();
        using var c = client;
        using var ri = relayIn;
        using var ro = relayOut;
        using var s = server;
        var request = RandomNumberGenerator.GetBytes(3 * 1024 * 1024 + 17); // many full 64 KiB reads, then a partial one
        var reply = "done"u8.ToArray();

        var relay = TcpRelay.RunAsync(relayIn, relayOut, CancellationToken.None);
        var serverSide = Task.Run(async () =>
        {
            var got = await ReadToEndAsync(server); // ends only when the client's half-close came through
            await SendAllAsync(server, reply);
            server.Shutdown(SocketShutdown.Send);
            return got;
        });
        await SendAllAsync(client, request);
        client.Shutdown(SocketShutdown.Send);
        var answer = await ReadToEndAsync(client).WaitAsync(Patience);
        var received = await serverSide.WaitAsync(Patience);
        var (aToB, bToA) = await relay.WaitAsync(Patience);

        Assert.Equal(SHA256.HashData(request), SHA256.HashData(received));
        Assert.Equal(reply, answer);
        Assert.Equal(request.Length, aToB);
        Assert.Equal(reply.Length, bToA);
    }

    [Fact]
    public async Task RunAsync_IdleThenSmallMessages_EachDeliveredAfterWaiting()
    {
        var (client, relayIn) = await PairAsync();
        var (relayOut, server) = await PairAsync();
        using var c = client;
        using var ri = relayIn;
        using var ro = relayOut;
        using var s = server;
        var relay = TcpRelay.RunAsync(relayIn, relayOut, CancellationToken.None);
        var buffer = new byte[16];

        for (var i = 0; i < 3; i++)
        {
            // The relay is parked in a zero-byte read between messages; each message must wake it.
            await Task.Delay(50);
            await SendAllAsync(client, [(byte)i, 42]);
            var n = await server.ReceiveAsync(buffer.AsMemory(), SocketFlags.None).AsTask().WaitAsync(Patience);
            Assert.Equal([(byte)i, (byte)42], buffer[..n]);
        }
        client.Shutdown(SocketShutdown.Send);
        server.Shutdown(SocketShutdown.Send);
        var (aToB, bToA) = await relay.WaitAsync(Patience);

        Assert.Equal(6, aToB);
        Assert.Equal(0, bToA);
    }

    /// <summary>What the peer of a socket sees at the end: "fin" (clean end) or "reset".</summary>
    private static async Task<string> EndSeenAsync(Socket socket)
    {
        var buffer = new byte[8192];
        try
        {
            while (await socket.ReceiveAsync(buffer, SocketFlags.None) > 0)
            {
            }
            return "fin";
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
            return "reset";
        }
    }

    [Fact]
    public async Task RunAsync_ServerResetsMidTransfer_ClientSeesResetNotFin()
    {
        var (client, relayIn) = await PairAsync();
        var (relayOut, server) = await PairAsync();
        using var c = client;
        using var ri = relayIn;
        using var ro = relayOut;
        var relay = TcpRelay.RunAsync(relayIn, relayOut, CancellationToken.None);
        await SendAllAsync(server, new byte[100_000]);

        server.LingerState = new LingerOption(true, 0);
        server.Dispose(); // the server dies abnormally (RST)
        var seen = await EndSeenAsync(client).WaitAsync(Patience);
        await relay.WaitAsync(Patience);

        Assert.Equal("reset", seen);
    }

    [Fact]
    public async Task RunAsync_Cancelled_BothSidesReset()
    {
        var (client, relayIn) = await PairAsync();
        var (relayOut, server) = await PairAsync();
        using var c = client;
        using var s = server;
        using var ri = relayIn;
        using var ro = relayOut;
        using var drain = new CancellationTokenSource();
        var relay = TcpRelay.RunAsync(relayIn, relayOut, drain.Token);
        await SendAllAsync(client, [1, 2, 3]);
        var got = new byte[3];
        await server.ReceiveAsync(got.AsMemory(), SocketFlags.None).AsTask().WaitAsync(Patience);

        await drain.CancelAsync(); // e.g. a drain deadline: an abnormal end
        var clientSaw = await EndSeenAsync(client).WaitAsync(Patience);
        var serverSaw = await EndSeenAsync(server).WaitAsync(Patience);
        await relay.WaitAsync(Patience);

        Assert.Equal("reset", clientSaw);
        Assert.Equal("reset", serverSaw);
    }

    [Fact]
    public async Task RunAsync_ServerEndsCleanly_ClientSeesFinAfterAllBytes()
    {
        var (client, relayIn) = await PairAsync();
        var (relayOut, server) = await PairAsync();
        using var c = client;
        using var ri = relayIn;
        using var ro = relayOut;
        var relay = TcpRelay.RunAsync(relayIn, relayOut, CancellationToken.None);
        await SendAllAsync(server, new byte[100_000]);
        server.Shutdown(SocketShutdown.Send);

        var received = await ReadToEndAsync(client).WaitAsync(Patience);
        client.Shutdown(SocketShutdown.Send);
        await relay.WaitAsync(Patience);
        server.Dispose();

        Assert.Equal(100_000, received.Length);
    }
}
