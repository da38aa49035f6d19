using System.Text;
using Mesh.Tests.Common;
using Mesh.Core.Hbone;

namespace Mesh.Tests.Unit.Hbone;

public sealed class HboneServerTests
{
    private static CancellationToken Timeout => new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token;

    [Fact]
    public async Task ServeAsync_ClientFromAnotherCa_IsRefused()
    {
        await using var bed = new HboneTestBed();
        using var other = TestCa.Create("Other Root");
        var stranger = HboneTestBed.Credential(other, HboneTestBed.ClientId, extraRoots: bed.Ca);
        await using var client = new HboneClient(new HboneClientOptions());

        var result = await client.ConnectAsync(bed.Request(bed.Address, stranger), Timeout);

        Assert.False(result.IsSuccess);
        Assert.Equal(HboneError.PeerUntrusted, await FirstServedAsync(bed));
    }

    [Fact]
    public async Task ServeAsync_ClientCertificateExpired_IsRefused()
    {
        await using var bed = new HboneTestBed();
        var now = DateTimeOffset.UtcNow;
        var expired = HboneTestBed.Credential(bed.Ca, HboneTestBed.ClientId, now.AddDays(-2), now.AddDays(-1));
        await using var client = new HboneClient(new HboneClientOptions());

        var result = await client.ConnectAsync(bed.Request(bed.Address, expired), Timeout);

        Assert.False(result.IsSuccess);
        Assert.Equal(HboneError.PeerUntrusted, await FirstServedAsync(bed));
    }

    [Fact]
    public async Task ServeAsync_HandlerSeesPeerIdentityAndTarget()
    {
        HboneInboundRequest? seen = null;
        await using var bed = new HboneTestBed((request, _) =>
        {
            seen = request;
            request.Refuse(503);
            return Task.CompletedTask;
        });
        await using var client = new HboneClient(new HboneClientOptions());
        var target = new System.Net.IPEndPoint(System.Net.IPAddress.Parse("198.18.1.5"), 8080);

        var result = await client.ConnectAsync(bed.Request(target), Timeout);

        Assert.Equal(503, result.Status);
        Assert.Equal(HboneTestBed.ClientId, seen!.PeerIdentity);
        Assert.Equal(target, seen.Target);
    }

    [Fact]
    public async Task ServeAsync_HandlerReturnsWithoutAnswer_Refuses503()
    {
        await using var bed = new HboneTestBed((_, _) => Task.CompletedTask);
        await using var client = new HboneClient(new HboneClientOptions());

        var result = await client.ConnectAsync(bed.Request(bed.Address), Timeout);

        Assert.Equal(HboneError.Refused, result.Error);
        Assert.Equal(503, result.Status);
    }

    [Fact]
    public async Task ServeAsync_ClientHalfCloses_StillReadsTheReply()
    {
        await using var bed = new HboneTestBed(async (request, ct) =>
        {
            var tunnel = request.Accept();
            var all = new MemoryStream();
            await tunnel.CopyToAsync(all, ct); // until the client's END_STREAM
            await tunnel.WriteAsync(Encoding.ASCII.GetBytes($"got {all.Length} bytes"), ct);
            tunnel.CompleteWrites();
        });
        await using var client = new HboneClient(new HboneClientOptions());
        var result = await client.ConnectAsync(bed.Request(bed.Address), Timeout);
        await using var tunnel = result.Stream!;

        await tunnel.WriteAsync(new byte[12345], Timeout);
        tunnel.CompleteWrites();
        var reply = new MemoryStream();
        await tunnel.CopyToAsync(reply, Timeout);

        Assert.Equal("got 12345 bytes", Encoding.ASCII.GetString(reply.ToArray()));
    }

    [Fact]
    public async Task ServeAsync_CertificateIssuedAfterTheConnectionArrived_WaitsForItAndServes()
    {
        // Right after a ztunnel start a peer can connect before the pod's certificate is back from the CA.
        await using var bed = new HboneTestBed((request, _) =>
        {
            request.Refuse(503);
            return Task.CompletedTask;
        });
        var issued = new TaskCompletionSource<HboneCredential>(TaskCreationOptions.RunContinuationsAsynchronously);
        bed.CredentialSource = ct => new ValueTask<HboneCredential>(issued.Task.WaitAsync(ct));
        await using var client = new HboneClient(new HboneClientOptions());

        var connecting = client.ConnectAsync(bed.Request(bed.Address), Timeout);
        await WaitAsync(() => bed.Accepted == 1);
        issued.SetResult(bed.ServerCredential);
        var result = await connecting;

        Assert.Equal(503, result.Status); // the handler's answer: TLS and HTTP/2 went through once the certificate came
    }

    [Fact]
    public async Task ServeAsync_NoCertificateToServeWith_ClosesTheConnectionAtOnce()
    {
        await using var bed = new HboneTestBed();
        bed.CredentialSource = _ => throw new InvalidOperationException("pod not known yet");
        // A client that would wait a minute for a server that never answers: the close must come long before.
        await using var client = new HboneClient(new HboneClientOptions { ConnectTimeout = TimeSpan.FromSeconds(60) });

        var result = await client.ConnectAsync(bed.Request(bed.Address), new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token);

        Assert.False(result.IsSuccess);
        Assert.Equal(HboneError.NoCredential, await FirstServedAsync(bed));
    }

    private static async Task WaitAsync(Func<bool> condition)
    {
        var deadline = Timeout;
        while (!condition())
        {
            await Task.Delay(10, deadline);
        }
    }

    private static async Task<HboneError> FirstServedAsync(HboneTestBed bed)
    {
        var deadline = Timeout;
        HboneError error;
        while (!bed.Served.TryPeek(out error))
        {
            await Task.Delay(10, deadline);
        }
        return error;
    }
}
