using k8s.Models;
using Mesh.ControlPlane.Kubernetes;
using Mesh.Core.Identity;

namespace Mesh.Tests.Unit.Kubernetes;

/// <summary>The pure TokenReview rules: what a review says, and what the caller may obtain.</summary>
public sealed class KubeCallerTests
{
    private static readonly TokenReviewOptions Options = new();

    private static V1TokenReviewStatus Status(string user, string[] audiences, Dictionary<string, IList<string>>? extra = null) => new()
    {
        Authenticated = true,
        Audiences = audiences,
        User = new V1UserInfo { Username = user, Extra = extra ?? [] },
    };

    private static KubeCaller Ztunnel(string? pod = "ztunnel-a", string? uid = "u1", string? node = null) =>
        new("mesh-system", "ztunnel", pod, uid, node);

    [Fact]
    public void FromReview_PodBoundServiceAccountToken_ReadsServiceAccountAndPod()
    {
        var (caller, error) = KubeCaller.FromReview(Status("system:serviceaccount:mesh-system:ztunnel", ["mesh-ca"], new()
        {
            [KubeCaller.PodNameExtra] = ["ztunnel-a"],
            [KubeCaller.PodUidExtra] = ["u1"],
        }), "mesh-ca");

        Assert.Null(error);
        Assert.Equal(Ztunnel(), caller);
        Assert.True(caller!.IsZtunnel(Options));
    }

    [Theory]
    [InlineData("system:serviceaccount:apps:web", "other-audience", "is not for audience 'mesh-ca'")]
    [InlineData("alice@example.com", "mesh-ca", "is not a service account")]
    [InlineData("system:serviceaccount:apps", "mesh-ca", "is not a service account")]
    public void FromReview_WrongAudienceOrNotServiceAccount_SaysWhy(string user, string audience, string expected)
    {
        var (caller, error) = KubeCaller.FromReview(Status(user, [audience]), "mesh-ca");

        Assert.Null(caller);
        Assert.Contains(expected, error);
    }

    [Fact]
    public void FromReview_NotAuthenticated_CarriesServerError()
    {
        var (caller, error) = KubeCaller.FromReview(new V1TokenReviewStatus { Error = "token has expired" }, "mesh-ca");

        Assert.Null(caller);
        Assert.Contains("token has expired", error);
    }

    [Fact]
    public void Decide_ZtunnelWithItsPod_ActsForThePodsNode()
    {
        var result = Ztunnel().Decide(Options, ("u1", "node-a"));

        Assert.Equal("node-a", result.Node);
        Assert.Null(result.OwnIdentity);
    }

    [Fact]
    public void Decide_ZtunnelPodReplacedUnderSameName_Refused()
    {
        var result = Ztunnel().Decide(Options, ("u2", "node-b"));

        Assert.False(result.Ok);
        Assert.Contains("now uid u2", result.Error);
    }

    [Theory]
    [InlineData(null, "not bound to a pod")]
    [InlineData("ztunnel-gone", "does not exist")]
    public void Decide_ZtunnelWithoutItsPod_Refused(string? pod, string expected)
    {
        var result = Ztunnel(pod).Decide(Options, null);

        Assert.False(result.Ok);
        Assert.Contains(expected, result.Error);
    }

    [Fact]
    public void Decide_ZtunnelTokenCarryingNode_NeedsNoPodLookup()
    {
        var caller = Ztunnel(node: "node-c");

        Assert.False(caller.NeedsPod(Options));
        Assert.Equal("node-c", caller.Decide(Options, null).Node);
    }

    [Fact]
    public void Decide_OtherServiceAccount_OnlyItsOwnIdentity()
    {
        var result = new KubeCaller("apps", "waypoint", "waypoint-0", "u9", null).Decide(Options, ("u9", "node-a"));

        Assert.True(result.Ok);
        Assert.Equal(SpiffeId.Parse("spiffe://cluster.local/ns/apps/sa/waypoint"), result.OwnIdentity);
        Assert.Equal("node-a", result.Node);
    }

    [Fact]
    public void Decide_ZtunnelServiceAccountConfigured_OtherNameIsAWorkload()
    {
        var options = new TokenReviewOptions { ZtunnelNamespace = "istio-system", ZtunnelServiceAccount = "ztunnel" };

        Assert.NotNull(Ztunnel().Decide(options, ("u1", "node-a")).OwnIdentity);
    }
}
