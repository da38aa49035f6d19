using Mesh.ControlPlane.Ca;
using Mesh.ControlPlane.Kubernetes;
using Mesh.ControlPlane.Registry;
using Mesh.ControlPlane.Translation;
using Mesh.Core.Identity;
using Mesh.Tests.Common;
using Microsoft.Extensions.Logging.Abstractions;
using static Mesh.Tests.Unit.Kubernetes.TokenReviewCluster;

namespace Mesh.Tests.Unit.Kubernetes;

/// <summary>
/// TokenReview authentication and Istio's authorization rule against the stand-in API server
/// (<see cref="FakeKubeApiServer"/>; the real kube-apiserver cannot run on this machine), through
/// KubernetesClient as in production.
/// </summary>
public sealed class TokenReviewAuthenticatorTests : IAsyncLifetime
{
    private static readonly SpiffeId Web = SpiffeId.Parse("spiffe://cluster.local/ns/apps/sa/web");
    private static readonly SpiffeId Db = SpiffeId.Parse("spiffe://cluster.local/ns/apps/sa/db");
    private static readonly SpiffeId Waypoint = SpiffeId.Parse("spiffe://cluster.local/ns/apps/sa/waypoint");
    private readonly MeshStateHub _hub = new();
    private FakeKubeApiServer _server = null!;
    private k8s.Kubernetes _client = null!;
    private TokenReviewAuthenticator _authenticator = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeKubeApiServer.StartAsync();
        AddPods(_server);
        _hub.Publish(new RegistrySnapshot(1, MeshTranslator.Translate(Pods).State, [], [], DateTimeOffset.UtcNow));
        _client = new k8s.Kubernetes(InformerHarness.ConfigFor(_server));
        _authenticator = new TokenReviewAuthenticator(_client, new TokenReviewOptions(), _hub, NullLogger<TokenReviewAuthenticator>.Instance);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    private bool Authorized(NodeAuthentication caller, SpiffeId identity) => NodeAuthorizer.Authorize(_hub.Current!.State, caller, identity);

    [Fact]
    public async Task AuthenticateAsync_ZtunnelTokenOfNodeA_GetsNodeAPodIdentitiesNotNodeB()
    {
        var caller = await _authenticator.AuthenticateAsync(Token(_server, "mesh-system", "ztunnel-a", "ztunnel"), CancellationToken.None);

        Assert.True(caller.Ok, caller.Error);
        Assert.Equal("node-a", caller.Node);
        Assert.Null(caller.OwnIdentity);
        Assert.True(Authorized(caller, Web));
        Assert.True(Authorized(caller, Waypoint));
        Assert.False(Authorized(caller, Db));
        var review = Assert.Single(_server.Requests, r => r.Path == FakeKubeApiServer.TokenReviewPath);
        Assert.Equal("POST", review.Method);
        Assert.DoesNotContain(_server.Requests, r => r.Method == "GET" && r.Path.Contains("/pods/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AuthenticateAsync_ZtunnelPodNotInRegistryYet_NodeFromPodGet()
    {
        _server.Upsert("/api/v1/pods", Pod("mesh-system", "ztunnel-c", "node-c", "ztunnel", "198.18.0.13"));

        var caller = await _authenticator.AuthenticateAsync(Token(_server, "mesh-system", "ztunnel-c", "ztunnel"), CancellationToken.None);

        Assert.True(caller.Ok, caller.Error);
        Assert.Equal("node-c", caller.Node);
        Assert.Contains(_server.Requests, r => r.Method == "GET" && r.Path == "/api/v1/namespaces/mesh-system/pods/ztunnel-c");
        Assert.False(Authorized(caller, Web));
    }

    [Fact]
    public async Task AuthenticateAsync_ExpiredToken_Refused()
    {
        var token = Token(_server, "mesh-system", "ztunnel-a", "ztunnel", validFor: TimeSpan.FromSeconds(-1));

        var caller = await _authenticator.AuthenticateAsync(token, CancellationToken.None);

        Assert.False(caller.Ok);
        Assert.Contains("expired", caller.Error);
        Assert.Contains("audience 'mesh-ca'", caller.Error);
    }

    [Fact]
    public async Task AuthenticateAsync_TokenForAnotherAudience_Refused()
    {
        var token = Token(_server, "mesh-system", "ztunnel-a", "ztunnel", audience: "https://kubernetes.default.svc.cluster.local");

        var caller = await _authenticator.AuthenticateAsync(token, CancellationToken.None);

        Assert.False(caller.Ok);
        Assert.Contains("invalid for the target audiences [\"mesh-ca\"]", caller.Error);
    }

    [Theory]
    [InlineData("not-a-token")]
    [InlineData("")]
    public async Task AuthenticateAsync_UnknownOrMissingToken_Refused(string token)
    {
        var caller = await _authenticator.AuthenticateAsync(token, CancellationToken.None);

        Assert.False(caller.Ok);
        Assert.NotEmpty(caller.Error!);
    }

    [Fact]
    public async Task AuthenticateAsync_WaypointToken_GetsItsOwnIdentityOnly()
    {
        var caller = await _authenticator.AuthenticateAsync(Token(_server, "apps", "waypoint", "waypoint"), CancellationToken.None);

        Assert.True(caller.Ok, caller.Error);
        Assert.Equal(Waypoint, caller.OwnIdentity);
        Assert.Equal("node-a", caller.Node);
        Assert.True(Authorized(caller, Waypoint));
        Assert.False(Authorized(caller, Web)); // on the same node, but not the waypoint's own
        Assert.False(Authorized(caller, Db));
    }

    [Fact]
    public async Task AuthenticateAsync_ApiServerRefusesTheControlPlane_RefusedWithReason()
    {
        _server.Token = "the-control-plane-is-no-longer-trusted";

        var caller = await _authenticator.AuthenticateAsync(Token(_server, "mesh-system", "ztunnel-a", "ztunnel"), CancellationToken.None);

        Assert.False(caller.Ok);
        Assert.Contains("could not review the token: the API server answered 401", caller.Error);
    }
}
