using System.Net.Http;
using System.Security.Authentication;
using System.Text;
using System.Text.Json.Nodes;
using k8s;
using Mesh.ControlPlane.Kubernetes;
using Mesh.Tests.Common;

namespace Mesh.Tests.Unit.Kubernetes;

/// <summary>
/// Kubeconfig loading through KubernetesClient (<see cref="KubeConfigLoader"/>), each credential
/// kind used for real against the stand-in API server (<see cref="FakeKubeApiServer"/>; the real
/// kube-apiserver cannot run on this machine), and the one-line errors for what a user gets wrong.
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

    private static async Task<int> ListPodsAsync(k8s.KubernetesClientConfiguration config)
    {
        using var client = KubernetesServiceCollectionExtensions.CreateClient(config);
        var list = await client.CustomObjects.ListClusterCustomObjectAsync<JsonObject>("", "v1", "pods", limit: 10);
        return list["items"]!.AsArray().Count;
    }

    [Fact]
    public async Task LoadFiles_TokenAndCertificateAuthorityData_ListsFromServer()
    {
        await using var server = await FakeKubeApiServer.StartAsync("kubeconfig-token");
        server.Upsert(KubeResource.Pods.CollectionPath, KubeTestObjects.Pod("a", "p"));
        var path = Write(Kubeconfig(server.Url.ToString(), $"    certificate-authority-data: {B64(server.Certificates.CaPem)}", "    token: kubeconfig-token"));

        var config = KubeConfigLoader.LoadFiles([path]);

        Assert.Equal(server.Url, new Uri(config.Host));
        Assert.Equal("mesh-system", config.Namespace);
        Assert.Equal(1, await ListPodsAsync(config));
        Assert.Equal("token", server.Requests[^1].User);
    }

    [Fact]
    public async Task LoadFiles_ClientCertificateDataAndCaFile_AuthenticatesWithCertificate()
    {
        await using var server = await FakeKubeApiServer.StartAsync("unused-token");
        var (cert, key) = server.Certificates.IssueClient("mesh-admin");
        File.WriteAllText(Path.Combine(_dir, "ca.crt"), server.Certificates.CaPem);
        var path = Write(Kubeconfig(server.Url.ToString(), "    certificate-authority: ca.crt",
            $"    client-certificate-data: {B64(cert)}\n    client-key-data: {B64(key)}"));

        Assert.Equal(0, await ListPodsAsync(KubeConfigLoader.LoadFiles([path])));
        Assert.Equal("mesh-admin", server.Requests[^1].User);
    }

    [Fact]
    public async Task LoadFiles_ClientCertificateFiles_ResolvedRelativeToTheirKubeconfig()
    {
        await using var server = await FakeKubeApiServer.StartAsync("unused-token");
        var (cert, key) = server.Certificates.IssueClient("file-user");
        Directory.CreateDirectory(Path.Combine(_dir, "pki"));
        File.WriteAllText(Path.Combine(_dir, "pki", "user.crt"), cert);
        File.WriteAllText(Path.Combine(_dir, "pki", "user.key"), key);
        var path = Write(Kubeconfig(server.Url.ToString(), $"    certificate-authority-data: {B64(server.Certificates.CaPem)}",
            "    client-certificate: pki/user.crt\n    client-key: pki/user.key"));

        Assert.Equal(0, await ListPodsAsync(KubeConfigLoader.LoadFiles([path])));
        Assert.Equal("file-user", server.Requests[^1].User);
    }

    [Fact]
    public async Task LoadFiles_InsecureSkipTlsVerify_ConnectsWithoutCa()
    {
        await using var server = await FakeKubeApiServer.StartAsync("t");
        var path = Write(Kubeconfig(server.Url.ToString(), "    insecure-skip-tls-verify: true", "    token: t"));

        var config = KubeConfigLoader.LoadFiles([path]);

        Assert.True(config.SkipTlsVerify);
        Assert.Equal(0, await ListPodsAsync(config));
    }

    [Fact]
    public async Task List_NoCaForSelfSignedServer_FailsTlsValidation()
    {
        await using var server = await FakeKubeApiServer.StartAsync("t");
        var path = Write(Kubeconfig(server.Url.ToString(), "", "    token: t"));

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => ListPodsAsync(KubeConfigLoader.LoadFiles([path])));

        Assert.IsType<AuthenticationException>(error.InnerException);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task Informer_ExecCredentialPlugin_ListsWithItsTokenAndRunsItAgainForARotatedOne()
    {
        // A kubeconfig user as EKS/GKE/AKS write them: `exec` runs a plugin that prints an ExecCredential.
        // Its credential expires within the library's 30 s refresh margin, so each request runs it again.
        var tokenFile = Path.Combine(_dir, "token");
        var runs = Path.Combine(_dir, "runs");
        File.WriteAllText(tokenFile, "exec-token-1");
        var plugin = Write($$$"""
            #!/bin/sh
            echo run >> '{{{runs}}}'
            printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"%s","expirationTimestamp":"%s"}}\n' \
              "$(cat '{{{tokenFile}}}')" "$(date -u -d '+10 seconds' +%Y-%m-%dT%H:%M:%SZ)"
            """, "credential-plugin.sh");
        await using var h = await InformerHarness.CreateAsync(KubeResource.Pods, token: "exec-token-1", config: server =>
            KubeConfigLoader.LoadFiles([Write(Kubeconfig(server.Url.ToString(), $"    certificate-authority-data: {B64(server.Certificates.CaPem)}", $"""
                    exec:
                      apiVersion: client.authentication.k8s.io/v1
                      command: /bin/sh
                      args: ["{plugin}"]
                      interactiveMode: Never
                """))]));
        var rv = h.Server.Upsert(h.Path, KubeTestObjects.Pod("a", "p1"));

        Assert.Equal([$"Added a/p1@{rv}", "Synced Pod"], await h.StartAndSyncAsync());
        await h.Server.WaitForWatchesAsync(h.Path, 1);
        Assert.All(h.Server.Requests, r => Assert.Equal("token", r.User));

        // The provider rotates the credential; the server stops accepting the old one.
        File.WriteAllText(tokenFile, "exec-token-2");
        h.Server.Token = "exec-token-2";
        h.Server.DropWatches();
        var added = h.Server.Upsert(h.Path, KubeTestObjects.Pod("a", "p2"));

        Assert.Equal([$"Added a/p2@{added}"], await h.TakeAsync(1));
        Assert.Equal("token", h.Server.WatchRequests(h.Path)[^1].User);
        Assert.True(File.ReadAllLines(runs).Length >= 3, "the plugin ran at load, for the list and watch, and again after the rotation");
    }

    [Fact]
    public void LoadFiles_ExplicitContext_OverridesCurrentContext()
    {
        var path = Write(Kubeconfig("https://127.0.0.1:6443", "", "    token: x", current: "other"));

        var config = KubeConfigLoader.LoadFiles([path], context: "test");

        Assert.Equal("https://127.0.0.1:6443", config.Host.TrimEnd('/'));
        Assert.Equal("test", config.CurrentContext);
        Assert.Equal("x", config.AccessToken);
    }

    [Fact]
    public void LoadFiles_SeveralFiles_FirstDefinitionWins()
    {
        var first = Write("apiVersion: v1\nkind: Config\ncurrent-context: test\nusers:\n- name: tester\n  user: { token: first }\n", "a");
        var second = Write(Kubeconfig("https://127.0.0.1:6443", "", "    token: second", current: "ignored"), "b");

        var config = KubeConfigLoader.LoadFiles([first, Path.Combine(_dir, "absent"), second]);

        Assert.Equal("first", config.AccessToken);
        Assert.Equal("https://127.0.0.1:6443", config.Host.TrimEnd('/'));
    }

    [Theory]
    [InlineData("missing-context", "has no context named 'test' (contexts: other, renamed)")]
    [InlineData("no-current", "has no current-context")]
    [InlineData("bad-yaml", "fix it or pass another --kubeconfig")]
    [InlineData("exec-fails", "external exec failed")]
    [InlineData("no-credentials", "does not have appropriate auth credentials")]
    [InlineData("unknown-cluster", "Cluster not found for context")]
    public void LoadFiles_BadKubeconfig_ThrowsOneLineSayingWhatToFix(string defect, string expected)
    {
        var good = Kubeconfig("https://127.0.0.1:6443", "", "    token: x");
        var yaml = defect switch
        {
            "missing-context" => good.Replace("- name: test", "- name: renamed"),
            "no-current" => good.Replace("current-context: test", ""),
            "bad-yaml" => good + "\n  : : [",
            "exec-fails" => good.Replace("    token: x", "    exec: { command: /nonexistent/credential-plugin, apiVersion: client.authentication.k8s.io/v1 }"),
            "no-credentials" => good.Replace("    token: x", "    as: someone"),
            "unknown-cluster" => good.Replace("- name: fake", "- name: elsewhere"),
            _ => throw new ArgumentException(defect),
        };
        var path = Write(yaml);

        var error = Assert.Throws<KubeConfigException>(() => KubeConfigLoader.LoadFiles([path]));

        Assert.Contains(expected, error.Message);
        Assert.Contains(path, error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void LoadFiles_NoFile_SaysHowToProvideOne()
    {
        var error = Assert.Throws<KubeConfigException>(() => KubeConfigLoader.LoadFiles([Path.Combine(_dir, "absent")]));

        Assert.Contains("set KUBECONFIG", error.Message);
        Assert.Contains(Path.Combine(_dir, "absent"), error.Message);
    }
}
