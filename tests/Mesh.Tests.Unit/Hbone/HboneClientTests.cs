using System.Security.Cryptography;
using Mesh.Core.Identity;
using Mesh.Tests.Common;
using Mesh.Core.Hbone;
using Mesh.Core.Hbone.Http2;

namespace Mesh.Tests.Unit.Hbone;

public sealed class HboneClientTests
{
    private static CancellationToken Timeout => new CancellationTokenSource(TimeSpan.FromSeconds(120)).Token;

    [Fact]
    public async Task ConnectAsync_1000TunnelsTo10Targets_AllEchoOverOnePooledConnection()
    {
        await using var bed = new HboneTestBed();
        var targets = Enumerable.Range(0, 10).Select(_ => new EchoServer()).ToArray();
        await using var client = new HboneClient(new HboneClientOptions());
        try
        {
            var tunnels = Enumerable.Range(0, 1000).Select(async i =>
            {
                var result = await client.ConnectAsync(bed.Request(targets[i % 10].EndPoint), Timeout);
                Assert.True(result.IsSuccess, $"{result.Error} {result.Detail}");
                await using var tunnel = result.Stream!;
                var payload = RandomNumberGenerator.GetBytes(1000 + i);
                await tunnel.WriteAsync(payload, Timeout);
                tunnel.CompleteWrites();
                var echoed = new MemoryStream();
                await tunnel.CopyToAsync(echoed, Timeout);
                return payload.AsSpan().SequenceEqual(echoed.ToArray());
            }).ToArray();

            var results = await Task.WhenAll(tunnels);

            Assert.All(results, Assert.True);
            Assert.Equal(1, client.ConnectionCount);
            Assert.Equal(1, bed.Accepted);
        }
        finally
        {
            foreach (var t in targets)
            {
                t.Dispose();
            }
        }
    }

    [Fact]
    public async Task ConnectAsync_64MiBThroughOneTunnel_ArrivesWithSameSha256()
    {
        await using var bed = new HboneTestBed();
        using var target = new EchoServer();
        await using var client = new HboneClient(new HboneClientOptions());
        var result = await client.ConnectAsync(bed.Request(target.EndPoint), Timeout);
        await using var tunnel = result.Stream!;
        var chunk = RandomNumberGenerator.GetBytes(1024 * 1024);
        using var sentHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        var writer = Task.Run(async () =>
        {
            for (var i = 0; i < 64; i++)
            {
                chunk[0] = (byte)i;
                sentHash.AppendData(chunk);
                await tunnel.WriteAsync(chunk, Timeout);
            }
            tunnel.CompleteWrites();
        });
        using var receivedHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[256 * 1024];
        long total = 0;
        int n;
        while ((n = await tunnel.ReadAsync(buffer, Timeout)) > 0)
        {
            receivedHash.AppendData(buffer, 0, n);
            total += n;
        }
        await writer;

        Assert.Equal(64L * 1024 * 1024, total);
        Assert.Equal(sentHash.GetHashAndReset(), receivedHash.GetHashAndReset());
    }

    [Fact]
    public async Task ConnectAsync_ServerFromAnotherCa_IsPeerUntrusted()
    {
        await using var bed = new HboneTestBed();
        using var other = TestCa.Create("Other Root");
        bed.ServerCredential = HboneTestBed.Credential(other, HboneTestBed.ServerId);
        await using var client = new HboneClient(new HboneClientOptions());

        var result = await client.ConnectAsync(bed.Request(bed.Address), Timeout);

        Assert.Equal(HboneError.PeerUntrusted, result.Error);
        Assert.Null(result.Stream);
    }

    [Fact]
    public async Task ConnectAsync_ServerCertificateExpired_IsPeerUntrusted()
    {
        await using var bed = new HboneTestBed();
        var now = DateTimeOffset.UtcNow;
        bed.ServerCredential = HboneTestBed.Credential(bed.Ca, HboneTestBed.ServerId, now.AddDays(-2), now.AddDays(-1));
        await using var client = new HboneClient(new HboneClientOptions());

        var result = await client.ConnectAsync(bed.Request(bed.Address), Timeout);

        Assert.Equal(HboneError.PeerUntrusted, result.Error);
    }

    [Fact]
    public async Task ConnectAsync_ServerHasAnotherIdentity_IsPeerIdentityMismatch()
    {
        await using var bed = new HboneTestBed();
        await using var client = new HboneClient(new HboneClientOptions());
        var expected = SpiffeId.Parse("spiffe://cluster.local/ns/server/sa/other");

        var result = await client.ConnectAsync(bed.Request(bed.Address, destination: expected), Timeout);

        Assert.Equal(HboneError.PeerIdentityMismatch, result.Error);
    }

    [Fact]
    public async Task ConnectAsync_TrustBundleWithTwoRoots_AcceptsServerFromEither()
    {
        await using var bed = new HboneTestBed();
        using var next = TestCa.Create("Next Root");
        bed.ServerCredential = HboneTestBed.Credential(next, HboneTestBed.ServerId, extraRoots: bed.Ca);
        using var target = new EchoServer();
        var source = HboneTestBed.Credential(bed.Ca, HboneTestBed.ClientId, extraRoots: next);
        await using var client = new HboneClient(new HboneClientOptions());

        var result = await client.ConnectAsync(bed.Request(target.EndPoint, source), Timeout);

        Assert.True(result.IsSuccess, $"{result.Error} {result.Detail}");
        await result.Stream!.DisposeAsync();
    }

    [Fact]
    public async Task ConnectAsync_HandlerRefuses_ReturnsRefusedWithStatus()
    {
        await using var bed = new HboneTestBed((request, _) =>
        {
            request.Refuse(403);
            return Task.CompletedTask;
        });
        await using var client = new HboneClient(new HboneClientOptions());

        var result = await client.ConnectAsync(bed.Request(bed.Address), Timeout);

        Assert.Equal(HboneError.Refused, result.Error);
        Assert.Equal(403, result.Status);
    }

    [Fact]
    public async Task ConnectAsync_NothingListening_IsConnectFailed()
    {
        await using var bed = new HboneTestBed();
        await using var client = new HboneClient(new HboneClientOptions());
        using var closed = new EchoServer();
        var port = closed.EndPoint;
        closed.Dispose();

        var result = await client.ConnectAsync(bed.Request(port) with { HboneAddress = port }, Timeout);

        Assert.Equal(HboneError.ConnectFailed, result.Error);
    }

    [Fact]
    public async Task ConnectAsync_PeerAcceptsButNeverAnswersTls_IsConnectTimeout()
    {
        await using var bed = new HboneTestBed();
        using var silent = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        silent.Start(); // the kernel completes the TCP handshake; nothing ever reads or writes
        var port = (System.Net.IPEndPoint)silent.LocalEndpoint;
        await using var client = new HboneClient(new HboneClientOptions { ConnectTimeout = TimeSpan.FromSeconds(2) }); // the loopback connect is done long before: what runs out is the handshake

        var result = await client.ConnectAsync(bed.Request(port) with { HboneAddress = port }, Timeout);

        Assert.Equal(HboneError.ConnectTimeout, result.Error);
        Assert.Contains("TLS handshake", result.Detail);
    }

    [Fact]
    public async Task ReadAsync_ServerResetsTunnel_Throws()
    {
        await using var bed = new HboneTestBed(async (request, ct) =>
        {
            var tunnel = request.Accept();
            await tunnel.ReadExactlyAsync(new byte[4], ct);
            tunnel.Reset(Http2ErrorCode.ConnectError);
        });
        await using var client = new HboneClient(new HboneClientOptions());
        var result = await client.ConnectAsync(bed.Request(bed.Address), Timeout);
        await using var tunnel = result.Stream!;

        await tunnel.WriteAsync(new byte[4], Timeout);

        await Assert.ThrowsAsync<IOException>(async () => _ = await tunnel.ReadAsync(new byte[8], Timeout));
        Assert.Equal(Http2ErrorCode.ConnectError, tunnel.ResetCode);
    }

    [Fact]
    public async Task ConnectAsync_ServerDrainsWithGoAway_OpenTunnelFinishesAndNextTunnelUsesNewConnection()
    {
        await using var bed = new HboneTestBed();
        using var target = new EchoServer();
        await using var client = new HboneClient(new HboneClientOptions());
        var first = await client.ConnectAsync(bed.Request(target.EndPoint), Timeout);
        await using var tunnel = first.Stream!;
        var oldDrain = bed.Drain;
        bed.Drain = new CancellationTokenSource();

        await oldDrain.CancelAsync();
        var second = await client.ConnectAsync(bed.Request(target.EndPoint), Timeout);
        await tunnel.WriteAsync("still here"u8.ToArray(), Timeout);
        tunnel.CompleteWrites();
        var echoed = new MemoryStream();
        await tunnel.CopyToAsync(echoed, Timeout);

        Assert.True(second.IsSuccess, $"{second.Error} {second.Detail}");
        Assert.Equal("still here"u8.ToArray(), echoed.ToArray());
        Assert.Equal(2, bed.Accepted);
        await second.Stream!.DisposeAsync();
    }

    [Fact]
    public async Task SweepIdle_ConnectionIdlePastTimeout_ClosesIt()
    {
        await using var bed = new HboneTestBed();
        using var target = new EchoServer();
        var clock = new ManualTimeProvider();
        await using var client = new HboneClient(new HboneClientOptions { IdleTimeout = TimeSpan.FromSeconds(30), TimeProvider = clock });
        var result = await client.ConnectAsync(bed.Request(target.EndPoint), Timeout);
        var tunnel = result.Stream!;
        tunnel.CompleteWrites();
        await tunnel.CopyToAsync(Stream.Null, Timeout);
        await tunnel.DisposeAsync();

        clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(1, client.ConnectionCount);
        clock.Advance(TimeSpan.FromSeconds(40));

        Assert.Equal(0, client.ConnectionCount);
        var deadline = Timeout;
        while (bed.Served.IsEmpty)
        {
            await Task.Delay(10, deadline);
        }
        Assert.Equal(HboneError.None, Assert.Single(bed.Served));
    }
}
