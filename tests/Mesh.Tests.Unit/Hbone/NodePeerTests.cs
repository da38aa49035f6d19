using System.Net;
using System.Security.Cryptography;
using Mesh.Core.Hbone;
using Mesh.Core.Hbone.Http2;

namespace Mesh.Tests.Unit.Hbone;

/// <summary>Interop with an independent HTTP/2 implementation: Node's http2 module (nghttp2).</summary>
public sealed class NodePeerTests
{
    private static CancellationToken Timeout => new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token;

    [Fact]
    public async Task ServeAsync_NodeClientConnects_TunnelEchoesThroughOurServer()
    {
        await using var bed = new HboneTestBed();
        using var target = new EchoServer();
        using var node = NodePeer.Start(bed.ClientCredential, "client", bed.Address.Port.ToString(), target.EndPoint.ToString(), "3000000");

        var status = await node.WaitForAsync("STATUS", Timeout);
        var server = await node.WaitForAsync("SERVER", Timeout);
        var sent = await node.WaitForAsync("SENT", Timeout);
        var received = await node.WaitForAsync("RECEIVED", Timeout);

        Assert.Equal("200", status);
        Assert.Equal(HboneTestBed.ServerId.ToString(), server);
        Assert.Equal(sent, received);
    }

    [Fact]
    public async Task ServeAsync_NodeClientSendsGet_Gets405()
    {
        await using var bed = new HboneTestBed();
        using var node = NodePeer.Start(bed.ClientCredential, "get", bed.Address.Port.ToString());

        Assert.Equal("405", await node.WaitForAsync("STATUS", Timeout));
    }

    [Fact]
    public async Task ConnectAsync_NodeServer_TunnelEchoesAndServerSeesOurIdentity()
    {
        await using var bed = new HboneTestBed();
        using var node = NodePeer.Start(bed.ServerCredential, "server");
        var port = int.Parse(await node.WaitForAsync("LISTENING", Timeout));
        await using var client = new HboneClient(new HboneClientOptions());
        var target = new IPEndPoint(IPAddress.Parse("10.1.2.3"), 8080);
        var request = bed.Request(target) with { HboneAddress = new IPEndPoint(IPAddress.Loopback, port) };

        var result = await client.ConnectAsync(request, Timeout);

        Assert.True(result.IsSuccess, $"{result.Error} {result.Detail}");
        await using var tunnel = result.Stream!;
        Assert.Contains(tunnel.Headers, h => h.Name == "x-peer-identity" && h.Value == HboneTestBed.ClientId.ToString());
        Assert.Contains(tunnel.Headers, h => h.Name == "x-authority" && h.Value == "10.1.2.3:8080");
        var payload = RandomNumberGenerator.GetBytes(5 * 1024 * 1024);
        var writer = Task.Run(async () =>
        {
            await tunnel.WriteAsync(payload, Timeout);
            tunnel.CompleteWrites();
        });
        var echoed = new MemoryStream();
        await tunnel.CopyToAsync(echoed, Timeout);
        await writer;
        Assert.Equal(SHA256.HashData(payload), SHA256.HashData(echoed.ToArray()));
    }

    [Fact]
    public async Task ServeAsync_NodeClientRapidResets_GetsGoAwayEnhanceYourCalm()
    {
        var handled = 0;
        // No refill: the 200 resets of the burst trip the detector however slowly a loaded machine lets Node send them
        // (its rate is RapidResetDetectorTests' job).
        var options = new HboneServerOptions { Http2 = new Http2Options { RapidResetPerSecond = 0 } };
        // The handler holds each stream open (as a dial in progress would), so every reset the client sends meets an
        // open stream: answering at once raced the client's RST (a stream already ended gets none) and the count.
        await using var bed = new HboneTestBed(async (_, ct) =>
        {
            Interlocked.Increment(ref handled);
            try
            {
                await Task.Delay(System.Threading.Timeout.Infinite, ct);
            }
            catch (OperationCanceledException)
            {
                // the client reset the stream or the connection went away
            }
        }, options);
        using var node = NodePeer.Start(bed.ClientCredential, "rapid", bed.Address.Port.ToString(), "10.1.2.3:8080", "5000");

        var outcome = await node.WaitForAsync("GOAWAY", Timeout);

        Assert.Equal("11", outcome); // ENHANCE_YOUR_CALM (0xb)
        Assert.Contains(HboneError.RapidReset, await ServedAsync(bed));
    }

    private static async Task<HboneError[]> ServedAsync(HboneTestBed bed)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (bed.Served.IsEmpty && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }
        return [.. bed.Served];
    }
}
