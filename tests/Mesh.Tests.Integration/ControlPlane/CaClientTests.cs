using System.Net.Http;
using Mesh.Core.Identity;
using Mesh.Tests.Common.ControlPlane;

namespace Mesh.Tests.Integration.ControlPlane;

/// <summary>The CA client against a real control plane over HTTP/2 + TLS on loopback.</summary>
public sealed class CaClientTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("cp-caclient-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task SignAsync_PodOnNode_ReturnsCertificateThatValidatesAgainstBundle()
    {
        await using var cp = await TestControlPlane.StartAsync(_root);
        using var client = new CaClient(cp.ClientOptions("node1"));
        var (key, der) = CsrFactory.Create("spiffe://cluster.local/ns/demo/sa/client");
        using var _ = key;

        var issued = await client.SignAsync(SpiffeId.Parse("spiffe://cluster.local/ns/demo/sa/client"), der, CancellationToken.None);

        Assert.Equal("spiffe://cluster.local/ns/demo/sa/client", SpiffeCertificate.Identity(issued.Leaf)?.ToString());
        var bundle = new TrustBundleFile(Path.Combine(cp.StateDir, "ca", "trust-bundle.pem"));
        Assert.True(TrustBundleFile.Validate(issued.Leaf, bundle.Roots, issued.Chain, null, out var problem), problem);

        using var http = new HttpClient();
        var ready = await http.GetAsync(new Uri($"http://127.0.0.1:{cp.MonitoringPort}/healthz/ready"));
        Assert.Equal(200, (int)ready.StatusCode);
        var metrics = await http.GetStringAsync(new Uri($"http://127.0.0.1:{cp.MonitoringPort}/metrics"));
        Assert.Contains("mesh_controlplane_certificates_signed_total 1", metrics);
        Assert.Contains("mesh_controlplane_connected_proxies 0", metrics);
    }

    [Fact]
    public async Task SignAsync_IdentityOnOtherNode_ThrowsNotOnNode()
    {
        await using var cp = await TestControlPlane.StartAsync(_root);
        using var client = new CaClient(cp.ClientOptions("node1"));
        var (key, der) = CsrFactory.Create("spiffe://cluster.local/ns/demo/sa/server");
        using var _ = key;

        var e = await Assert.ThrowsAsync<CaClientException>(() =>
            client.SignAsync(SpiffeId.Parse("spiffe://cluster.local/ns/demo/sa/server"), der, CancellationToken.None));

        Assert.Equal("not-on-node", e.Code);
        Assert.Contains("node 'node1' runs no pod", e.Message);
    }

    [Fact]
    public async Task SignAsync_BadToken_ThrowsUnauthenticated()
    {
        await using var cp = await TestControlPlane.StartAsync(_root);
        using var client = new CaClient(cp.ClientOptions("node1") with { TokenFile = null, Token = "nope" });
        var (key, der) = CsrFactory.Create("spiffe://cluster.local/ns/demo/sa/client");
        using var _ = key;

        var e = await Assert.ThrowsAsync<CaClientException>(() =>
            client.SignAsync(SpiffeId.Parse("spiffe://cluster.local/ns/demo/sa/client"), der, CancellationToken.None));

        Assert.Equal("unauthenticated", e.Code);
    }

    [Fact]
    public async Task SignAsync_ServerNotInBundle_FailsTls()
    {
        await using var cp = await TestControlPlane.StartAsync(_root);
        var otherBundle = Path.Combine(_root, "other.pem");
        await File.WriteAllTextAsync(otherBundle, Mesh.ControlPlane.Ca.CertificateIssuer.CreateRoot("cluster.local", DateTimeOffset.UtcNow, TimeSpan.FromDays(1)).ExportCertificatePem());
        using var client = new CaClient(cp.ClientOptions("node1") with { TrustBundleFile = otherBundle });
        var (key, der) = CsrFactory.Create("spiffe://cluster.local/ns/demo/sa/client");
        using var _ = key;

        var e = await Assert.ThrowsAsync<CaClientException>(() =>
            client.SignAsync(SpiffeId.Parse("spiffe://cluster.local/ns/demo/sa/client"), der, CancellationToken.None));

        Assert.Equal("unavailable", e.Code);
    }
}
