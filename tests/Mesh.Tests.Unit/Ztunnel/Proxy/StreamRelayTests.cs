using System.Net;
using System.Net.Sockets;
using Mesh.Core.Hbone.Hpack;
using Mesh.Core.Hbone.Http2;
using Mesh.Tests.Unit.Hbone.Http2;
using Mesh.Ztunnel.Metrics;
using Mesh.Ztunnel.Proxy;

namespace Mesh.Tests.Unit.Ztunnel.Proxy;

/// <summary>The relay between an app socket and an HBONE stream: a clean end is passed on as a half-close, anything else as a reset.</summary>
public sealed class StreamRelayTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private static readonly HeaderField[] Connect = [new(":method", "CONNECT"), new(":authority", "10.0.0.1:80")];

    private static async Task<(Socket App, Socket Relay)> PairAsync()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var a = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var accept = listener.AcceptAsync();
        await a.ConnectAsync(listener.LocalEndPoint!);
        return (a, await accept);
    }

    private static async Task<(string End, long Bytes)> EndSeenAsync(Socket socket)
    {
        var buffer = new byte[65536];
        long total = 0;
        try
        {
            int n;
            while ((n = await socket.ReceiveAsync(buffer, SocketFlags.None)) > 0)
            {
                total += n;
            }
            return ("fin", total);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
            return ("reset", total);
        }
    }

    private static TcpConnectionMetrics Metrics(TcpMetrics m) =>
        m.Open(TcpMetricLabels.ForInbound(new Mesh.Core.Model.Workload { Uid = "app/server", Name = "server", Namespace = "app", Node = "node1" }, null, null, mutualTls: true));

    [Fact]
    public async Task RunAsync_PeerConnectionLostMidTransfer_AppSeesResetNotFin()
    {
        // The server streams 4 MiB into the tunnel and then its whole connection dies (as when its ztunnel is killed).
        var serverStream = new TaskCompletionSource<Http2Stream>();
        await using var pair = await Http2Pair.StartAsync(async s =>
        {
            s.SendHeaders([new(":status", "200")], endStream: false);
            serverStream.SetResult(s);
            await s.WriteAsync(new byte[4 * 1024 * 1024]);
            await Task.Delay(Timeout.Infinite, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60));
        });
        var opened = await pair.Client.OpenStreamAsync(Connect, CancellationToken.None);
        var (app, relaySide) = await PairAsync();
        using var a = app;
        var metrics = new TcpMetrics();
        using var m = Metrics(metrics);
        var relay = StreamRelay.RunAsync(relaySide, opened.Stream!, m, socketIsClient: true, CancellationToken.None);
        await serverStream.Task.WaitAsync(Patience);
        var first = new byte[1];
        await app.ReceiveAsync(first.AsMemory(), SocketFlags.None).AsTask().WaitAsync(Patience);

        pair.Server.Abort();
        var (end, _) = await EndSeenAsync(app).WaitAsync(Patience);
        await relay.WaitAsync(Patience);

        Assert.Equal("reset", end);
    }

    [Fact]
    public async Task RunAsync_AppResets_PeerStreamGetsRstStream()
    {
        var serverSaw = new TaskCompletionSource<Http2ErrorCode?>();
        await using var pair = await Http2Pair.StartAsync(async s =>
        {
            s.SendHeaders([new(":status", "200")], endStream: false);
            try
            {
                var buffer = new byte[1024];
                while (await s.ReadAsync(buffer) > 0)
                {
                }
                serverSaw.SetResult(null);
            }
            catch (IOException)
            {
                serverSaw.SetResult(s.ResetCode);
            }
        });
        var opened = await pair.Client.OpenStreamAsync(Connect, CancellationToken.None);
        var (app, relaySide) = await PairAsync();
        var metrics = new TcpMetrics();
        using var m = Metrics(metrics);
        var relay = StreamRelay.RunAsync(relaySide, opened.Stream!, m, socketIsClient: true, CancellationToken.None);
        await app.SendAsync(new byte[1000], SocketFlags.None);

        app.LingerState = new LingerOption(true, 0);
        app.Dispose();
        var code = await serverSaw.Task.WaitAsync(Patience);
        await relay.WaitAsync(Patience);

        Assert.Equal(Http2ErrorCode.Cancel, code);
    }

    [Fact]
    public async Task RunAsync_PeerEndsStream_AppSeesFinAfterEveryByte()
    {
        await using var pair = await Http2Pair.StartAsync(async s =>
        {
            s.SendHeaders([new(":status", "200")], endStream: false);
            await s.WriteAsync(new byte[300_000]);
            s.CompleteWrites();
            await s.CopyToAsync(Stream.Null);
        });
        var opened = await pair.Client.OpenStreamAsync(Connect, CancellationToken.None);
        var (app, relaySide) = await PairAsync();
        using var a = app;
        var metrics = new TcpMetrics();
        using var m = Metrics(metrics);
        var relay = StreamRelay.RunAsync(relaySide, opened.Stream!, m, socketIsClient: true, CancellationToken.None);

        var (end, bytes) = await EndSeenAsync(app).WaitAsync(Patience);
        app.Shutdown(SocketShutdown.Send);
        await relay.WaitAsync(Patience);

        Assert.Equal(("fin", 300_000L), (end, bytes));
    }
}
