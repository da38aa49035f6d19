using System.Collections.Immutable;
using System.Security.Cryptography.X509Certificates;
using Mesh.Core.Hbone;
using Mesh.Core.Identity;
using Mesh.Core.Model;
using Mesh.Tests.Common;

namespace Mesh.Tests.Unit.Hbone;

/// <summary>
/// A server whose credential verifies peers against the proxy's held <see cref="TrustAnchors"/>: a bundle pushed while
/// it runs decides the next handshake at once, and a tunnel opened before goes on (real TLS on loopback).
/// </summary>
public sealed class HboneTrustRotationTests : IDisposable
{
    private static CancellationToken Timeout => new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token;

    private readonly string _bundleFile = Path.Combine(Path.GetTempPath(), $"mesh-anchors-{Guid.NewGuid():n}.pem");

    public void Dispose() => File.Delete(_bundleFile);

    [Fact]
    public async Task ServeAsync_BundleGainsANewRoot_NextHandshakeTrustsItAndTheOpenTunnelGoesOn()
    {
        await using var bed = new HboneTestBed();
        File.WriteAllText(_bundleFile, bed.Ca.Root.ExportCertificatePem());
        var anchors = new TrustAnchors(new TrustBundleFile(_bundleFile));
        var serverLeaf = bed.Ca.Issue(HboneTestBed.ServerId.ToString());
        bed.ServerCredential = new HboneCredential(serverLeaf, [], anchors);
        using var next = TestCa.Create("Next Root");
        var fromNext = HboneTestBed.Credential(next, HboneTestBed.ClientId, extraRoots: bed.Ca);
        using var target = new EchoServer();
        await using var established = new HboneClient(new HboneClientOptions());
        var open = await established.ConnectAsync(bed.Request(target.EndPoint), Timeout);
        await using var tunnel = open.Stream!;
        await EchoAsync(tunnel, "before");

        await using (var early = new HboneClient(new HboneClientOptions()))
        {
            var refused = await early.ConnectAsync(bed.Request(target.EndPoint, fromNext), Timeout);
            Assert.False(refused.IsSuccess);
        }
        Assert.True(anchors.Offer(Bundle(bed.Ca.Root, next.Root), [(serverLeaf, [])], DateTimeOffset.UtcNow));
        await using var late = new HboneClient(new HboneClientOptions());
        var accepted = await late.ConnectAsync(bed.Request(target.EndPoint, fromNext), Timeout);

        Assert.True(accepted.IsSuccess, accepted.Detail);
        await using (var lateTunnel = accepted.Stream!)
        {
            await EchoAsync(lateTunnel, "new root");
        }
        await EchoAsync(tunnel, "after");
        Assert.Equal([TrustAnchors.Fingerprint(bed.Ca.Root), TrustAnchors.Fingerprint(next.Root)], anchors.Fingerprints.ToArray());
    }

    internal static TrustBundle Bundle(params X509Certificate2[] roots) =>
        new() { TrustDomain = "cluster.local", Anchors = [.. roots.Select(r => r.ExportCertificatePem())] };

    private static async Task EchoAsync(Stream tunnel, string text)
    {
        var sent = System.Text.Encoding.ASCII.GetBytes(text);
        await tunnel.WriteAsync(sent, Timeout);
        var got = new byte[sent.Length];
        await tunnel.ReadExactlyAsync(got, Timeout);
        Assert.Equal(text, System.Text.Encoding.ASCII.GetString(got));
    }
}
