using System.Net.Http;
using System.Security.Authentication;
using System.Text;
using Mesh.ControlPlane.Kubernetes;
using Mesh.Tests.Common;

namespace Mesh.Tests.Unit.Kubernetes;

/// <summary>
/// Kubeconfig parsing, and each credential kind used for real against the stand-in API server
/// (<see cref="FakeKubeApiServer"/>; the real kube-apiserver cannot run on this machine).
/// </summary>
public sealed class KubeconfigLoaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("k8s-kubeconfig-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string B64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    private string Write(string yaml, string name = "config")
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, yaml);
        return path;
    }

    private static string Kubeconfig(string server, string clusterExtra, string userBody, string current = "test") => $"""
        apiVersion: v1
        kind: Config
        current-context: {current}
        contexts:
        - name: other
          context:
            cluster: nowhere
            user: nobody
        - name: test
          context:
            cluster: fake
            user: tester
            namespace: mesh-system
        clusters:
        - name: fake
          cluster:
            server: {server}
        {clusterExtra}
        users:
        - name: tester
          user:
        {userBody}
        """;

    private static async Task<int> ListPodsAsync(KubeClientConfig config)
    {
        using var client = new KubeApiClient(config);
        var page = await client.ListAsync(KubeResource.Pods, 10, null, CancellationToken.None);
        return page.Items.Count;
    }

    [Fact]
    public async Task Load_TokenAndCertificateAuthorityData_ListsFromServer()
    {
        await using var server = await FakeKubeApiServer.StartAsync("kubeconfig-token");
        server.Upsert(KubeResource.Pods.CollectionPath, KubeTestObjects.Pod("a", "p"));
        var path = Write(Kubeconfig(server.Url.ToString(), $"    certificate-authority-data: {B64(server.Certificates.CaPem)}", "    token: kubeconfig-token"));

        var config = KubeconfigLoader.Load(path);

        Assert.Equal(server.Url, config.Server);
        Assert.Equal("kubeconfig-token", config.Token);
        Assert.Equal("mesh-system", config.Namespace);
        Assert.Null(config.ClientCertificate);
        Assert.Equal(1, await ListPodsAsync(config));
        Assert.Equal("token", server.Requests[^1].User);
    }

    [Fact]
    public async Task Load_ClientCertificateDataAndCaFile_AuthenticatesWithCertificate()
    {
        await using var server = await FakeKubeApiServer.StartAsync("unused-token");
        var (cert, key) = server.Certificates.IssueClient("mesh-admin");
        File.WriteAllText(Path.Combine(_dir, "ca.crt"), server.Certificates.CaPem);
        var path = Write(Kubeconfig(server.Url.ToString(), "    certificate-authority: ca.crt",
            $"    client-certificate-data: {B64(cert)}\n    client-key-data: {B64(key)}"));

        var config = KubeconfigLoader.Load(path);

        Assert.NotNull(config.ClientCertificate);
        Assert.True(config.ClientCertificate.HasPrivateKey);
        Assert.Null(config.Token);
        Assert.Equal(0, await ListPodsAsync(config));
        Assert.Equal("mesh-admin", server.Requests[^1].User);
    }

    [Fact]
    public async Task Load_ClientCertificateFiles_ResolvedRelativeToKubeconfig()
    {
        await using var server = await FakeKubeApiServer.StartAsync("unused-token");
        var (cert, key) = server.Certificates.IssueClient("file-user");
        Directory.CreateDirectory(Path.Combine(_dir, "pki"));
        File.WriteAllText(Path.Combine(_dir, "pki", "user.crt"), cert);
        File.WriteAllText(Path.Combine(_dir, "pki", "user.key"), key);
        var path = Write(Kubeconfig(server.Url.ToString(), $"    certificate-authority-data: {B64(server.Certificates.CaPem)}",
            "    client-certificate: pki/user.crt\n    client-key: pki/user.key"));

        Assert.Equal(0, await ListPodsAsync(KubeconfigLoader.Load(path)));
        Assert.Equal("file-user", server.Requests[^1].User);
    }

    [Fact]
    public async Task Load_InsecureSkipTlsVerify_ConnectsWithoutCa()
    {
        await using var server = await FakeKubeApiServer.StartAsync("t");
        var path = Write(Kubeconfig(server.Url.ToString(), "    insecure-skip-tls-verify: true", "    token: t"));

        var config = KubeconfigLoader.Load(path);

        Assert.True(config.InsecureSkipTlsVerify);
        Assert.Null(config.CertificateAuthority);
        Assert.Equal(0, await ListPodsAsync(config));
    }

    [Fact]
    public async Task ListAsync_NoCaForSelfSignedServer_FailsTlsValidation()
    {
        await using var server = await FakeKubeApiServer.StartAsync("t");
        var path = Write(Kubeconfig(server.Url.ToString(), "", "    token: t"));

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => ListPodsAsync(KubeconfigLoader.Load(path)));

        Assert.IsType<AuthenticationException>(error.InnerException);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public void Load_ExplicitContext_OverridesCurrentContext()
    {
        var path = Write(Kubeconfig("https://127.0.0.1:6443", "", "    token: x", current: "other"));

        var config = KubeconfigLoader.Load(path, context: "test");

        Assert.Equal(new Uri("https://127.0.0.1:6443"), config.Server);
        Assert.Contains("context test", config.Source);
    }

    [Fact]
    public void Load_SeveralFiles_FirstDefinitionWins()
    {
        var first = Write("current-context: test\nusers:\n- name: tester\n  user: { token: first }\n", "a");
        var second = Write(Kubeconfig("https://127.0.0.1:6443", "", "    token: second", current: "ignored"), "b");

        var config = KubeconfigLoader.Load([first, second]);

        Assert.Equal("first", config.Token);
        Assert.Equal(new Uri("https://127.0.0.1:6443"), config.Server);
    }

    [Theory]
    [InlineData("missing-context", "no context named 'test'")]
    [InlineData("no-current", "has no current-context")]
    [InlineData("bad-yaml", "is not valid YAML")]
    [InlineData("no-server", "must be an https:// URL")]
    [InlineData("exec", "exec or auth-provider credential plugin")]
    [InlineData("cert-without-key", "without its key")]
    [InlineData("bad-base64", "is not base64")]
    [InlineData("unknown-cluster", "names cluster 'fake', which is not in")]
    public void Load_BadKubeconfig_ThrowsMessageSayingWhatToFix(string defect, string expected)
    {
        var good = Kubeconfig("https://127.0.0.1:6443", "", "    token: x");
        var yaml = defect switch
        {
            "missing-context" => good.Replace("- name: test", "- name: renamed"),
            "no-current" => good.Replace("current-context: test", ""),
            "bad-yaml" => good + "\n  : : [",
            "no-server" => good.Replace("server: https://127.0.0.1:6443", "server: 127.0.0.1:6443"),
            "exec" => good.Replace("    token: x", "    exec: { command: aws, apiVersion: client.authentication.k8s.io/v1 }"),
            "cert-without-key" => good.Replace("    token: x", $"    client-certificate-data: {B64("pem")}"),
            "bad-base64" => good.Replace("    token: x", "    client-certificate-data: not*base64"),
            "unknown-cluster" => good.Replace("- name: fake", "- name: elsewhere"),
            _ => throw new ArgumentException(defect),
        };
        var path = Write(yaml);

        var error = Assert.Throws<KubeConfigException>(() => KubeconfigLoader.Load(path));

        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Load_NoFile_SaysHowToProvideOne()
    {
        var error = Assert.Throws<KubeConfigException>(() => KubeconfigLoader.Load(Path.Combine(_dir, "absent")));

        Assert.Contains("Set KUBECONFIG", error.Message);
        Assert.Contains(Path.Combine(_dir, "absent"), error.Message);
    }
}
