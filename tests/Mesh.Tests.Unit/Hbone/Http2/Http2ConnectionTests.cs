using System.Security.Cryptography;
using Mesh.Core.Hbone.Hpack;
using Mesh.Core.Hbone.Http2;

namespace Mesh.Tests.Unit.Hbone.Http2;

public sealed class Http2ConnectionTests
{
    private static readonly HeaderField[] Connect = [new(":method", "CONNECT"), new(":authority", "10.0.0.1:80")];
    private static CancellationToken Timeout => new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token;

    [Fact]
    public async Task OpenStreamAsync_EchoWithHalfClose_ReturnsAllBytesThenEof()
    {
        await using var pair = await Http2Pair.StartAsync(Http2Pair.Echo);

        var result = await pair.Client.OpenStreamAsync(Connect, Timeout);
        Assert.Equal(Http2OpenError.None, result.Error);
        Assert.Equal(200, result.Status);
        await using var stream = result.Stream!;
        var sent = RandomNumberGenerator.GetBytes(300_000);
        await stream.WriteAsync(sent, Timeout);
        stream.CompleteWrites();
        var received = new MemoryStream();
        await stream.CopyToAsync(received, Timeout);

        Assert.Equal(sent, received.ToArray());
    }

    [Fact]
    public async Task SendDataAsync_SmallWindows_MovesMegabytesThroughWindowUpdates()
    {
        var small = new Http2Options { StreamWindowSize = 65535, ConnectionWindowSize = 65535 * 2 };
        await using var pair = await Http2Pair.StartAsync(Http2Pair.Echo, small, small);

        var result = await pair.Client.OpenStreamAsync(Connect, Timeout);
        await using var stream = result.Stream!;
        var sent = RandomNumberGenerator.GetBytes(4 * 1024 * 1024);
        var writer = Task.Run(async () =>
        {
            await stream.WriteAsync(sent, Timeout);
            stream.CompleteWrites();
        });
        var received = new MemoryStream();
        await stream.CopyToAsync(received, Timeout);
        await writer;

        Assert.Equal(SHA256.HashData(sent), SHA256.HashData(received.ToArray()));
    }

    [Fact]
    public async Task ReadAsync_PeerResetsStream_ThrowsAndReportsCode()
    {
        await using var pair = await Http2Pair.StartAsync(async s =>
        {
            s.SendHeaders([new(":status", "200")], endStream: false);
            var one = new byte[1];
            await s.ReadExactlyAsync(one);
            s.Reset(Http2ErrorCode.ConnectError);
        });

        var result = await pair.Client.OpenStreamAsync(Connect, Timeout);
        await using var stream = result.Stream!;
        await stream.WriteAsync(new byte[] { 1 }, Timeout);

        await Assert.ThrowsAsync<IOException>(async () => _ = await stream.ReadAsync(new byte[10], Timeout));
        Assert.Equal(Http2ErrorCode.ConnectError, stream.ResetCode);
    }

    [Fact]
    public async Task OpenStreamAsync_ServerRefusesWithStatus_ReturnsStatusAndNoStream()
    {
        await using var pair = await Http2Pair.StartAsync(s =>
        {
            s.SendHeaders([new(":status", "403")], endStream: true);
            return Task.CompletedTask;
        });

        var result = await pair.Client.OpenStreamAsync(Connect, Timeout);

        Assert.Equal(403, result.Status);
        Assert.True(result.Stream!.RemoteEnded);
        Assert.Equal(0, await result.Stream.ReadAsync(new byte[1], Timeout));
    }

    [Fact]
    public async Task OpenStreamAsync_PeerLimitReached_ReturnsNoCapacity()
    {
        var release = new TaskCompletionSource();
        await using var pair = await Http2Pair.StartAsync(
            async s =>
            {
                s.SendHeaders([new(":status", "200")], endStream: false);
                await release.Task;
            },
            serverOptions: new Http2Options { MaxConcurrentStreams = 2 });

        var a = await pair.Client.OpenStreamAsync(Connect, Timeout);
        var b = await pair.Client.OpenStreamAsync(Connect, Timeout);
        var c = await pair.Client.OpenStreamAsync(Connect, Timeout);

        Assert.Equal(Http2OpenError.None, a.Error);
        Assert.Equal(Http2OpenError.None, b.Error);
        Assert.Equal(Http2OpenError.NoCapacity, c.Error);
        Assert.Equal(0, pair.Client.AvailableStreams);
        release.SetResult();
    }

    [Fact]
    public async Task ShutdownAsync_StreamOpen_DrainsItThenRefusesNewStreamsAndCloses()
    {
        await using var pair = await Http2Pair.StartAsync(Http2Pair.Echo);
        var result = await pair.Client.OpenStreamAsync(Connect, Timeout);
        var stream = result.Stream!;

        var shutdown = pair.Server.ShutdownAsync(Timeout);
        await stream.WriteAsync(new byte[] { 1, 2, 3 }, Timeout);
        stream.CompleteWrites();
        var received = new MemoryStream();
        await stream.CopyToAsync(received, Timeout);
        await stream.DisposeAsync();
        await shutdown;
        await pair.Client.Completion.WaitAsync(Timeout);

        Assert.Equal(new byte[] { 1, 2, 3 }, received.ToArray());
        Assert.True(pair.Client.IsDraining);
        var late = await pair.Client.OpenStreamAsync(Connect, Timeout);
        Assert.Equal(Http2OpenError.ConnectionClosing, late.Error);
    }

    [Fact]
    public async Task PingAsync_Connected_ReturnsRoundTrip()
    {
        await using var pair = await Http2Pair.StartAsync(Http2Pair.Echo);

        var rtt = await pair.Client.PingAsync(Timeout);

        Assert.True(rtt > TimeSpan.Zero);
    }

    [Fact]
    public async Task Abort_StreamsOpen_FailsThemAndCompletes()
    {
        await using var pair = await Http2Pair.StartAsync(Http2Pair.Echo);
        var result = await pair.Client.OpenStreamAsync(Connect, Timeout);
        var read = result.Stream!.ReadAsync(new byte[10], Timeout).AsTask();

        pair.Server.Abort();

        await Assert.ThrowsAsync<IOException>(() => read);
        await pair.Client.Completion.WaitAsync(Timeout);
    }
}
