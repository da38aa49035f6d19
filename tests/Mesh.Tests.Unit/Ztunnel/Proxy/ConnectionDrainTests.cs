using System.Net;
using System.Net.Sockets;
using Mesh.Ztunnel.Proxy;

namespace Mesh.Tests.Unit.Ztunnel.Proxy;

public sealed class ConnectionDrainTests
{
    [Fact]
    public async Task RunAsync_HandlerFails_ResetsTheConnectionAndReportsTheError()
    {
        var (client, accepted) = await PairAsync();
        using var _ = client;
        var reported = new List<Exception>();
        using var drain = new ConnectionDrain(reported.Add);

        await drain.RunAsync(accepted, _ => throw new InvalidOperationException("no certificate yet"), CancellationToken.None);

        // The client learns at once with a reset, not by its own timeout and not with a clean end.
        var read = await Assert.ThrowsAsync<SocketException>(async () => await client.ReceiveAsync(new byte[1].AsMemory()).AsTask().WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(SocketError.ConnectionReset, read.SocketErrorCode);
        Assert.IsType<InvalidOperationException>(Assert.Single(reported));
        Assert.Equal(0, drain.Active);
    }

    [Fact]
    public async Task RunAsync_HandlerEndsNormally_LeavesTheSocketToIt()
    {
        var (client, accepted) = await PairAsync();
        using var _ = client;
        using var drain = new ConnectionDrain();

        await drain.RunAsync(accepted, async ct =>
        {
            await accepted.SendAsync("ok"u8.ToArray(), ct);
            accepted.Shutdown(SocketShutdown.Send);
        }, CancellationToken.None);

        var buffer = new byte[2];
        Assert.Equal(2, await client.ReceiveAsync(buffer));
        Assert.Equal(0, await client.ReceiveAsync(buffer)); // the handler's clean end
        accepted.Dispose();
    }

    private static async Task<(Socket Client, Socket Accepted)> PairAsync()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(listener.LocalEndPoint!);
        return (client, await listener.AcceptAsync());
    }
}
