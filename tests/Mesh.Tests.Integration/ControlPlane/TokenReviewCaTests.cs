using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Mesh.ControlPlane;
using Mesh.ControlPlane.Registry;
using Mesh.Core.Identity;
using Mesh.Tests.Common;
using Mesh.Tests.Common.ControlPlane;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mesh.Tests.Integration.ControlPlane;

/// <summary>
/// The real control plane (Kestrel, TLS, HTTP/2 on loopback) with the Kubernetes registry and TokenReview
/// against the stand-in API server (<see cref="FakeKubeApiServer"/>; kube-apiserver cannot run on this
/// machine), signing over the real CA endpoint with projected-style service account tokens; the lab's
/// node tokens still work as the first link of the chain.
/// </summary>
public sealed class TokenReviewCaTests : IAsyncLifetime
{
    private const string Web = "spiffe://cluster.local/ns/apps/sa/web";
    private const string Db = "spiffe://cluster.local/ns/apps/sa/db";
    private const string Waypoint = "spiffe://cluster.local/ns/apps/sa/waypoint";
    private readonly string _root = Directory.CreateTempSubdirectory("cp-tokenreview-").FullName;
    private FakeKubeApiServer _kube = null!;
    private WebApplication _app = null!;

    public async Task InitializeAsync()
    {
        _kube = await FakeKubeApiServer.StartAsync("controlplane-token");
        foreach (var (ns, name, node, sa, ip) in new[]
                 {
                     ("mesh-system", "ztunnel-a", "node-a", "ztunnel", "198.18.0.11"), ("mesh-system", "ztunnel-b", "node-b", "ztunnel", "198.18.0.12"),
                     ("apps", "web", "node-a", "web", "198.18.1.2"), ("apps", "db", "node-b", "db", "198.18.2.2"), ("apps", "waypoint", "node-a", "waypoint", "198.18.1.3"),
                 })
        {
            _kube.Upsert("/api/v1/pods", new JsonObject
            {
                ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns, ["uid"] = $"uid-{name}" },
                ["spec"] = new JsonObject { ["nodeName"] = node, ["serviceAccountName"] = sa },
                ["status"] = new JsonObject { ["podIP"] = ip, ["phase"] = "Running" },
            });
        }
        var kubeconfig = Path.Combine(_root, "kubeconfig");
        await File.WriteAllTextAsync(kubeconfig, $$"""
            apiVersion: v1
            kind: Config
            current-context: fake
            contexts: [ { name: fake, context: { cluster: fake, user: controlplane } } ]
            clusters: [ { name: fake, cluster: { server: "{{_kube.Url}}", certificate-authority-data: {{Convert.ToBase64String(Encoding.UTF8.GetBytes(_kube.Certificates.CaPem))}} } } ]
            users: [ { name: controlplane, user: { token: controlplane-token } } ]
            """);
        await File.WriteAllTextAsync(Path.Combine(_root, "tokens.json"), """{"node-b": "lab-token-b"}""");
        _app = ControlPlaneHost.Build(new ControlPlaneOptions
        {
            Registry = "kubernetes",
            Kubeconfig = kubeconfig,
            NodeTokensFile = Path.Combine(_root, "tokens.json"),
            StateDirectory = Path.Combine(_root, "state"),
            Listen = new IPEndPoint(IPAddress.Loopback, 0),
            Monitoring = new IPEndPoint(IPAddress.Loopback, 0),
        }, l => l.SetMinimumLevel(LogLevel.Warning));
        await _app.StartAsync();
        var hub = _app.Services.GetRequiredService<MeshStateHub>();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (hub.Current is null)
        {
            await Task.Delay(20, deadline.Token);
        }
    }

    public async Task DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        await _kube.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    private string Token(string ns, string pod, string sa, string audience = "mesh-ca", TimeSpan? validFor = null) =>
        _kube.IssueServiceAccountToken(new FakeServiceAccountToken(ns, sa, pod, $"uid-{pod}", [audience], DateTimeOffset.UtcNow + (validFor ?? TimeSpan.FromHours(1))));

    private async Task<string> SignAsync(string token, string identity)
    {
        using var client = new CaClient(new ControlPlaneClientOptions
        {
            Address = new Uri($"https://127.0.0.1:{ControlPlaneHost.BoundPort(_app, tls: true)}"),
            TrustBundleFile = Path.Combine(_root, "state", "ca", "trust-bundle.pem"),
            Token = token,
            ServerIdentity = SpiffeId.Parse("spiffe://cluster.local/ns/mesh-system/sa/controlplane"),
        });
        var (key, der) = CsrFactory.Create(identity);
        using var _ = key;
        try
        {
            var issued = await client.SignAsync(SpiffeId.Parse(identity), der, CancellationToken.None);
            return "signed " + SpiffeCertificate.Identity(issued.Leaf);
        }
        catch (CaClientException e)
        {
            return e.Code;
        }
    }

    [Fact]
    public async Task Sign_ZtunnelTokenOfNodeA_SignsNodeAIdentitiesOnly()
    {
        var ztunnelA = Token("mesh-system", "ztunnel-a", "ztunnel");

        Assert.Equal($"signed {Web}", await SignAsync(ztunnelA, Web));
        Assert.Equal($"signed {Waypoint}", await SignAsync(ztunnelA, Waypoint));
        Assert.Equal("not-on-node", await SignAsync(ztunnelA, Db));
        Assert.Equal($"signed {Db}", await SignAsync(Token("mesh-system", "ztunnel-b", "ztunnel"), Db));
    }

    [Fact]
    public async Task Sign_ExpiredOrWrongAudienceToken_Unauthenticated()
    {
        Assert.Equal("unauthenticated", await SignAsync(Token("mesh-system", "ztunnel-a", "ztunnel", validFor: TimeSpan.FromSeconds(-1)), Web));
        Assert.Equal("unauthenticated", await SignAsync(Token("mesh-system", "ztunnel-a", "ztunnel", audience: "other"), Web));
        Assert.Equal("unauthenticated", await SignAsync("made-up", Web));
    }

    [Fact]
    public async Task Sign_WaypointToken_OwnIdentityOnly()
    {
        var waypoint = Token("apps", "waypoint", "waypoint");

        Assert.Equal($"signed {Waypoint}", await SignAsync(waypoint, Waypoint));
        Assert.Equal("not-on-node", await SignAsync(waypoint, Web)); // a pod on the waypoint's node, not the waypoint's identity
    }

    [Fact]
    public async Task Sign_LabNodeToken_StillAuthenticatesFirstInTheChain()
    {
        Assert.Equal($"signed {Db}", await SignAsync("lab-token-b", Db));
        Assert.Equal("not-on-node", await SignAsync("lab-token-b", Web));
        Assert.DoesNotContain(_kube.Requests, r => r.Path == FakeKubeApiServer.TokenReviewPath);
    }
}
