using System.Net;
using System.Net.Sockets;
using Mesh.Core.Hbone;

namespace Mesh.Tests.Unit.Hbone;

/// <summary>The inbound HBONE server's bounds: handshakes in progress, admission of the verified peer, a CONNECT reset while it is being served.</summary>
public sealed class HboneServerLimitsTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static CancellationToken Timeout => new CancellationTokenSource(Patience).Token;

    [Fact]
    public async Task ServeAsync_HandshakeLimitReached_NextConnectionResetBeforeTls()
    {
        await using var bed = new HboneTestBed(options: new HboneServerOptions { MaxHandshakes = 1 });
        using var silent = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await silent.ConnectAsync(bed.Address); // holds the only handshake slot: never says hello
        await WaitUntilAsync(() => bed.Server.HandshakesInProgress == 1);

        using var next = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        // The reset may come before the client's connect has read its result (a busy machine): then connect reports it.
        var error = await Assert.ThrowsAsync<SocketException>(async () =>
        {
            await next.ConnectAsync(bed.Address);
            await next.ReceiveAsync(new byte[1].AsMemory(), SocketFlags.None).AsTask().WaitAsync(Patience);
        });

        await WaitUntilAsync(() => !bed.Served.IsEmpty); // recorded after the server returns, which may be after the client saw the reset

        Assert.Equal(SocketError.ConnectionReset, error.SocketErrorCode);
        Assert.Contains(HboneError.HandshakeLimit, bed.Served);
    }

    [Fact]
    public async Task ServeAsync_AdmissionRefusesPeer_ConnectionClosedAsPeerLimit()
    {
        var handled = 0;
        await using var bed = new HboneTestBed((r, _) =>
        {
            Interlocked.Increment(ref handled);
            r.Refuse(503);
            return Task.CompletedTask;
        });
        bed.Admission = _ => null;
        await using var client = new HboneClient(new HboneClientOptions());

        var result = await client.ConnectAsync(bed.Request(new IPEndPoint(IPAddress.Loopback, 9)), Timeout);
        await WaitUntilAsync(() => !bed.Served.IsEmpty);

        Assert.False(result.IsSuccess);
        Assert.Equal(0, handled);
        Assert.Equal(HboneError.PeerLimit, Assert.Single(bed.Served));
    }

    [Fact]
    public async Task ServeAsync_AdmittedPeer_LeaseHeldForTheConnectionThenReturned()
    {
        var leases = 0;
        await using var bed = new HboneTestBed();
        bed.Admission = _ =>
        {
            Interlocked.Increment(ref leases);
            return new Release(() => Interlocked.Decrement(ref leases));
        };
        using var echo = new EchoServer();
        var client = new HboneClient(new HboneClientOptions());

        var result = await client.ConnectAsync(bed.Request(echo.EndPoint), Timeout);
        var held = Volatile.Read(ref leases);
        await result.Stream!.DisposeAsync();
        await client.DisposeAsync();
        await WaitUntilAsync(() => Volatile.Read(ref leases) == 0);

        Assert.True(result.IsSuccess);
        Assert.Equal(1, held);
    }

    [Fact]
    public async Task ServeAsync_ClientResetsWhileHandlerWaits_HandlerTokenFires()
    {
        var handlerStarted = new TaskCompletionSource();
        var handlerCancelled = new TaskCompletionSource<bool>();
        await using var bed = new HboneTestBed(async (_, ct) =>
        {
            handlerStarted.SetResult();
            try
            {
                await Task.Delay(System.Threading.Timeout.Infinite, ct); // e.g. a slow dial to the app
                handlerCancelled.SetResult(false);
            }
            catch (OperationCanceledException)
            {
                handlerCancelled.SetResult(true);
            }
        });
        await using var client = new HboneClient(new HboneClientOptions());
        using var giveUp = new CancellationTokenSource();

        var connect = client.ConnectAsync(bed.Request(new IPEndPoint(IPAddress.Loopback, 9)), giveUp.Token);
        await handlerStarted.Task.WaitAsync(Patience);
        await giveUp.CancelAsync(); // the client leaves: its stream is reset (RST_STREAM CANCEL)

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => connect);
        Assert.True(await handlerCancelled.Task.WaitAsync(Patience));
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not reached");
            await Task.Delay(20);
        }
    }

    private sealed class Release(Action release) : IDisposable
    {
        public void Dispose() => release();
    }
}
