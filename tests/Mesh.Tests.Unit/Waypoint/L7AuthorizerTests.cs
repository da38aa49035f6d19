using Mesh.Core.Identity;
using Mesh.Core.Model;
using Mesh.Waypoint.Authorization;

namespace Mesh.Tests.Unit.Waypoint;

public sealed class L7AuthorizerTests
{
    private static readonly NamespacedName Gateway = new("app", "waypoint");
    private static readonly Service Echo = new() { Name = "echo", Namespace = "app" };
    private static readonly SpiffeId Client = SpiffeId.Parse("spiffe://cluster.local/ns/app/sa/client");

    private static AuthorizationPolicy Policy(PolicyAction action, PolicyTargetRef target, params PolicyRule[] rules) => new()
    {
        Name = "p",
        Namespace = "app",
        Action = action,
        TargetRefs = [target],
        Rules = [.. rules],
    };

    private static L7RequestFacts Req(string method = "GET", string path = "/", SpiffeId? peer = null, int port = 80) =>
        new(peer ?? Client, port, method, path);

    private static readonly PolicyTargetRef ToGateway = new("Gateway", "waypoint");
    private static readonly PolicyTargetRef ToEcho = new("Service", "echo");

    [Fact]
    public void Authorize_NoPolicies_Allowed()
    {
        Assert.True(L7Authorizer.Authorize([], Gateway, Echo, Req()).Allowed);
    }

    [Fact]
    public void Authorize_DenyOnPathPrefix_DeniesOnlyThosePaths()
    {
        var deny = Policy(PolicyAction.Deny, ToGateway, new PolicyRule { Paths = ["/admin*"] });

        var admin = L7Authorizer.Authorize([deny], Gateway, Echo, Req(path: "/admin/users"));
        var other = L7Authorizer.Authorize([deny], Gateway, Echo, Req(path: "/public"));

        Assert.False(admin.Allowed);
        Assert.Equal("app/p", admin.Policy);
        Assert.True(other.Allowed);
    }

    [Fact]
    public void Authorize_AllowGetForService_PostDenied()
    {
        var allow = Policy(PolicyAction.Allow, ToEcho, new PolicyRule { Methods = ["GET"] });

        Assert.True(L7Authorizer.Authorize([allow], Gateway, Echo, Req("GET")).Allowed);
        Assert.False(L7Authorizer.Authorize([allow], Gateway, Echo, Req("POST")).Allowed);
    }

    [Fact]
    public void Authorize_PolicyForAnotherServiceOrGateway_Ignored()
    {
        var other = Policy(PolicyAction.Allow, new PolicyTargetRef("Service", "other"), new PolicyRule { Methods = ["GET"] });
        var otherGw = Policy(PolicyAction.Deny, new PolicyTargetRef("Gateway", "other-waypoint"), new PolicyRule());

        Assert.True(L7Authorizer.Authorize([other, otherGw], Gateway, Echo, Req("POST")).Allowed);
    }

    [Fact]
    public void Authorize_AllowWithoutRules_AllowsNothing()
    {
        Assert.False(L7Authorizer.Authorize([Policy(PolicyAction.Allow, ToGateway)], Gateway, Echo, Req()).Allowed);
    }

    [Fact]
    public void Authorize_DenyBeatsAllow()
    {
        var allow = Policy(PolicyAction.Allow, ToGateway, new PolicyRule());
        var deny = Policy(PolicyAction.Deny, ToEcho, new PolicyRule { Principals = ["cluster.local/ns/app/sa/client"] }) with { Name = "d" };

        var d = L7Authorizer.Authorize([allow, deny], Gateway, Echo, Req());

        Assert.False(d.Allowed);
        Assert.Equal("app/d", d.Policy);
    }

    [Fact]
    public void Authorize_ServiceTargetedSpiffePrincipal_Allowed()
    {
        var allow = Policy(PolicyAction.Allow, ToEcho, new PolicyRule { Principals = ["spiffe://cluster.local/ns/app/sa/client"] });

        Assert.True(L7Authorizer.Authorize([allow], Gateway, Echo, Req()).Allowed);
    }
}
