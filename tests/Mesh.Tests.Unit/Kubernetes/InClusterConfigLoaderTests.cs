using System.Net;
using Mesh.ControlPlane.Kubernetes;
using Mesh.Tests.Common;

namespace Mesh.Tests.Unit.Kubernetes;

/// <summary>
/// In-cluster service account configuration from a temp folder laid out like
/// /var/run/secrets/kubernetes.io/serviceaccount, used against the stand-in API server
/// (<see cref="FakeKubeApiServer"/>; the real kube-apiserver cannot run on this machine).
/// </summary>
public sealed class InClusterConfigLoaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("k8s-sa-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static Func<string, string?> Env(string? host, string? port) => name => name switch
    {
        InClusterConfigLoader.HostVariable => host,
        InClusterConfigLoader.PortVariable => port,
        _ => null,
    };

    [Fact]
    public async Task Load_ServiceAccountFolder_TrustsItsCaAndFollowsTokenRotation()
    {
        await using var server = await FakeKubeApiServer.StartAsync("token-1");
        File.WriteAllText(Path.Combine(_dir, "token"), "token-1\n");
        File.WriteAllText(Path.Combine(_dir, "ca.crt"), server.Certificates.CaPem);
        File.WriteAllText(Path.Combine(_dir, "namespace"), "mesh-system");

        var config = InClusterConfigLoader.Load(_dir, Env("127.0.0.1", server.Url.Port.ToString()));

        Assert.Equal(server.Url, config.Server);
        Assert.Equal("mesh-system", config.Namespace);
        Assert.Equal(Path.Combine(_dir, "token"), config.TokenFile);
        var clock = new ManualClock();
        using var client = new KubeApiClient(config, clock);
        await client.ListAsync(KubeResource.Pods, 10, null, CancellationToken.None);

        // The kubelet rotates the projected token; the server stops accepting the old one.
        server.Token = "token-2";
        File.WriteAllText(Path.Combine(_dir, "token"), "token-2\n");
        var refused = await Assert.ThrowsAsync<KubeApiException>(() => client.ListAsync(KubeResource.Pods, 10, null, CancellationToken.None));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);

        clock.Advance(KubeTokenSource.DefaultRefreshInterval);
        await client.ListAsync(KubeResource.Pods, 10, null, CancellationToken.None);
        Assert.Equal(["token", null, "token"], server.Requests.Select(r => r.User));
    }

    [Fact]
    public void Load_Ipv6Host_IsBracketed()
    {
        File.WriteAllText(Path.Combine(_dir, "token"), "t");
        using var certs = new FakeKubeCertificates();
        File.WriteAllText(Path.Combine(_dir, "ca.crt"), certs.CaPem);

        var config = InClusterConfigLoader.Load(_dir, Env("fd00::1", "443"));

        Assert.Equal(new Uri("https://[fd00::1]:443"), config.Server);
        Assert.Equal("default", config.Namespace);
    }

    [Theory]
    [InlineData(null, "443", "KUBERNETES_SERVICE_HOST")]
    [InlineData("10.96.0.1", "https", "is not a TCP port")]
    public void Load_BadEnvironment_SaysWhatIsMissing(string? host, string? port, string expected)
    {
        var error = Assert.Throws<KubeConfigException>(() => InClusterConfigLoader.Load(_dir, Env(host, port)));

        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Load_NoToken_SaysToMountIt()
    {
        var error = Assert.Throws<KubeConfigException>(() => InClusterConfigLoader.Load(_dir, Env("10.96.0.1", "443")));

        Assert.Contains("automountServiceAccountToken", error.Message);
    }

    [Fact]
    public void Load_CaNotPem_SaysSo()
    {
        File.WriteAllText(Path.Combine(_dir, "token"), "t");
        File.WriteAllText(Path.Combine(_dir, "ca.crt"), "garbage");

        var error = Assert.Throws<KubeConfigException>(() => InClusterConfigLoader.Load(_dir, Env("10.96.0.1", "443")));

        Assert.Contains("holds no PEM certificate", error.Message);
    }
}
