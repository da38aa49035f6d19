using System.Text;
using System.Text.Json.Nodes;
using Mesh.ControlPlane.Ca;
using Mesh.ControlPlane.Kubernetes;
using Mesh.Tests.Common;
using Mesh.Tests.Unit.Kubernetes;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mesh.Tests.Unit.ControlPlane;

/// <summary>
/// The CA from a cert-manager style Secret (kubernetes.io/tls with ca.crt), read and watched through the real
/// KubernetesClient against <see cref="FakeKubeApiServer"/>: a stand-in, because no kube-apiserver runs on this machine.
/// </summary>
public sealed class CaSecretWatcherTests : IAsyncLifetime
{
    private const string Secret = "mesh-system/mesh-ca";
    private readonly TestCa _root = TestCa.Create("User Root");
    private readonly string _dir = Directory.CreateTempSubdirectory("cp-secret-").FullName;
    private FakeKubeApiServer _server = null!;
    private k8s.Kubernetes _client = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeKubeApiServer.StartAsync();
        _client = KubernetesServiceCollectionExtensions.CreateClient(InformerHarness.ConfigFor(_server));
    }

    private static JsonObject SecretObject(string cert, string key, string? roots)
    {
        var data = new JsonObject
        {
            [UserCaPem.SecretCert] = Convert.ToBase64String(Encoding.UTF8.GetBytes(cert)),
            [UserCaPem.SecretKey] = Convert.ToBase64String(Encoding.UTF8.GetBytes(key)),
        };
        if (roots is not null)
        {
            data[UserCaPem.SecretRoots] = Convert.ToBase64String(Encoding.UTF8.GetBytes(roots));
        }
        return new JsonObject
        {
            ["apiVersion"] = "v1", ["kind"] = "Secret", ["type"] = "kubernetes.io/tls",
            ["metadata"] = new JsonObject { ["name"] = "mesh-ca", ["namespace"] = "mesh-system" },
            ["data"] = data,
        };
    }

    [Fact]
    public async Task Watch_SecretRenewedThenBroken_NewIntermediateSignsThenBrokenOneIsRefusedAndKept()
    {
        var (cert1, key1) = _root.IssueIntermediatePem("Intermediate 1");
        var (cert2, key2) = _root.IssueIntermediatePem("Intermediate 2");
        var (cert3, _) = _root.IssueIntermediatePem("Intermediate 3");
        _server.Upsert(KubeResource.Secrets.CollectionPath, SecretObject(cert1, key1, _root.RootPem));
        var options = new CaOptions { StateDirectory = _dir, CaSecret = Secret };
        var store = new CaStore(options, TimeProvider.System, supplied: CaSecretWatcher.Read(_client, Secret));
        using var watcher = new CaSecretWatcher(_client, store, options, TimeProvider.System, NullLoggerFactory.Instance);
        await watcher.StartAsync(CancellationToken.None);
        var bundle = File.ReadAllText(options.TrustBundleFile);

        Assert.Contains("Intermediate 1", store.Current.Signer.Subject);
        // cert-manager renews the Certificate: same Secret, a new intermediate from the same root.
        _server.Upsert(KubeResource.Secrets.CollectionPath, SecretObject(cert2, key2, _root.RootPem));
        await WaitAsync(() => store.Current.Signer.Subject.Contains("Intermediate 2", StringComparison.Ordinal), "the renewed Secret was not taken");
        Assert.Equal(bundle, File.ReadAllText(options.TrustBundleFile));
        Assert.Equal(_root.Root.Thumbprint, Assert.Single(store.Current.TrustBundle).Thumbprint);
        // A hand edit that pairs a certificate with the wrong key.
        _server.Upsert(KubeResource.Secrets.CollectionPath, SecretObject(cert3, key2, _root.RootPem));
        await WaitAsync(() => store.LastReloadError is not null, "the broken Secret was not looked at");

        Assert.Contains("the key does not match the certificate", store.LastReloadError);
        Assert.Contains("Intermediate 2", store.Current.Signer.Subject);
        await watcher.StopAsync(CancellationToken.None);
    }

    [Fact]
    public void Read_SecretWithoutCaCrt_FailsNamingTheKey()
    {
        var (cert, key) = _root.IssueIntermediatePem("Intermediate 1");
        _server.Upsert(KubeResource.Secrets.CollectionPath, SecretObject(cert, key, roots: null));

        var e = Assert.Throws<CaException>(() => CaSecretWatcher.Read(_client, Secret));

        Assert.Contains("has no 'ca.crt'", e.Message);
    }

    [Fact]
    public void Read_NoSuchSecret_FailsSayingToCreateIt()
    {
        var e = Assert.Throws<CaException>(() => CaSecretWatcher.Read(_client, "mesh-system/absent"));

        Assert.Contains("cannot read the Secret (404", e.Message);
    }

    private static async Task WaitAsync(Func<bool> done, string failure)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!done())
        {
            Assert.True(DateTime.UtcNow < deadline, failure);
            await Task.Delay(20);
        }
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
        _root.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}
