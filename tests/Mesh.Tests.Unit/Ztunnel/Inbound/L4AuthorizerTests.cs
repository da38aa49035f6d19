using System.Collections.Immutable;
using Mesh.Core;
using Mesh.Core.Identity;
using Mesh.Core.Model;
using Mesh.Ztunnel.Inbound;
using static Mesh.Tests.Unit.Ztunnel.TestWorkloads;

namespace Mesh.Tests.Unit.Ztunnel.Inbound;

public sealed class L4AuthorizerTests
{
    private static readonly Workload Server = Pod("app", "server", "198.18.2.10", sa: "server", labels: ("app", "server"));
    private static readonly Workload Other = Pod("app", "other", "198.18.2.11", sa: "other", labels: ("app", "other"));
    private static readonly SpiffeId ClientId = SpiffeId.Parse("spiffe://cluster.local/ns/app/sa/client");
    private static readonly SpiffeId BadId = SpiffeId.Parse("spiffe://cluster.local/ns/evil/sa/bad");

    private static AuthorizationPolicy Policy(string name, PolicyAction action, string ns = "app",
        ImmutableDictionary<string, string>? selector = null, params PolicyRule[] rules) => new()
    {
        Name = name,
        Namespace = ns,
        Action = action,
        Selector = selector ?? ImmutableDictionary<string, string>.Empty,
        Rules = [.. rules],
    };

    private static ImmutableDictionary<string, string> Sel(string k, string v) => ImmutableDictionary<string, string>.Empty.Add(k, v);

    private static AuthorizationDecision Authorize(ConnectionFacts facts, MtlsMode mode = MtlsMode.Permissive,
        Workload? destination = null, params AuthorizationPolicy[] policies) =>
        L4Authorizer.Authorize(State([Server, Other], policies: policies), destination ?? Server, facts, mode);

    [Fact]
    public void Authorize_NoPolicies_Allows()
    {
        var d = Authorize(ConnectionFacts.MutualTls(ClientId, 8080));

        Assert.Equal(new AuthorizationDecision(true, AuthorizationReason.NoPolicies, null), d);
    }

    [Fact]
    public void Authorize_NoPoliciesPlaintextPermissive_Allows()
    {
        Assert.True(Authorize(ConnectionFacts.PlaintextConnection(8080)).Allowed);
    }

    [Fact]
    public void Authorize_StrictPlaintext_RefusedBeforePolicy()
    {
        var allowAll = Policy("allow-all", PolicyAction.Allow, rules: new PolicyRule());
        var d = Authorize(ConnectionFacts.PlaintextConnection(8080), MtlsMode.Strict, null, allowAll);

        Assert.Equal(new AuthorizationDecision(false, AuthorizationReason.StrictModeRefusesPlaintext, null), d);
    }

    [Fact]
    public void Authorize_StrictMutualTls_Allows()
    {
        Assert.True(Authorize(ConnectionFacts.MutualTls(ClientId, 8080), MtlsMode.Strict).Allowed);
    }

    [Fact]
    public void Authorize_DenyByPrincipal_DeniesExactlyThatPrincipal()
    {
        var deny = Policy("deny-bad", PolicyAction.Deny, rules: new PolicyRule { Principals = ["cluster.local/ns/evil/sa/bad"] });

        var denied = Authorize(ConnectionFacts.MutualTls(BadId, 8080), policies: deny);
        var allowed = Authorize(ConnectionFacts.MutualTls(ClientId, 8080), policies: deny);

        Assert.Equal(new AuthorizationDecision(false, AuthorizationReason.DenyPolicyMatched, "app/deny-bad"), denied);
        Assert.Equal(new AuthorizationDecision(true, AuthorizationReason.NoPolicies, null), allowed);
    }

    [Fact]
    public void Authorize_DenyWinsOverMatchingAllow()
    {
        var allow = Policy("allow-all", PolicyAction.Allow, rules: new PolicyRule());
        var deny = Policy("deny-port", PolicyAction.Deny, rules: new PolicyRule { Ports = [9090] });

        Assert.Equal("app/deny-port", Authorize(ConnectionFacts.MutualTls(ClientId, 9090), policies: [allow, deny]).Policy);
        Assert.False(Authorize(ConnectionFacts.MutualTls(ClientId, 9090), policies: [allow, deny]).Allowed);
        Assert.Equal(new AuthorizationDecision(true, AuthorizationReason.AllowPolicyMatched, "app/allow-all"),
            Authorize(ConnectionFacts.MutualTls(ClientId, 8080), policies: [allow, deny]));
    }

    [Fact]
    public void Authorize_AllowPoliciesNoneMatching_DeniesNamingPolicy()
    {
        var allow = Policy("allow-client", PolicyAction.Allow, rules: new PolicyRule { Principals = ["cluster.local/ns/app/sa/client"] });

        Assert.True(Authorize(ConnectionFacts.MutualTls(ClientId, 8080), policies: allow).Allowed);
        Assert.Equal(new AuthorizationDecision(false, AuthorizationReason.NoAllowPolicyMatched, "app/allow-client"),
            Authorize(ConnectionFacts.MutualTls(BadId, 8080), policies: allow));
    }

    [Fact]
    public void Authorize_AllowByPrincipal_PlaintextDenied()
    {
        var allow = Policy("allow-client", PolicyAction.Allow, rules: new PolicyRule { Principals = ["*"] });

        Assert.False(Authorize(ConnectionFacts.PlaintextConnection(8080), policies: allow).Allowed);
        Assert.True(Authorize(ConnectionFacts.MutualTls(BadId, 8080), policies: allow).Allowed);
    }

    [Fact]
    public void Authorize_AllowWithoutRules_DeniesEverything()
    {
        var allowNothing = Policy("allow-nothing", PolicyAction.Allow);

        Assert.Equal(AuthorizationReason.NoAllowPolicyMatched, Authorize(ConnectionFacts.MutualTls(ClientId, 8080), policies: allowNothing).Reason);
    }

    [Fact]
    public void Authorize_DenyWithoutRules_DeniesNothing()
    {
        var denyNothing = Policy("deny-nothing", PolicyAction.Deny);

        Assert.True(Authorize(ConnectionFacts.MutualTls(ClientId, 8080), policies: denyNothing).Allowed);
    }

    [Fact]
    public void Authorize_PolicyWithOtherSelector_DoesNotApply()
    {
        var allowOnlyOther = Policy("other-only", PolicyAction.Allow, selector: Sel("app", "other"),
            rules: new PolicyRule { Principals = ["cluster.local/ns/app/sa/client"] });

        Assert.Equal(AuthorizationReason.NoPolicies, Authorize(ConnectionFacts.MutualTls(BadId, 8080), policies: allowOnlyOther).Reason);
        Assert.False(Authorize(ConnectionFacts.MutualTls(BadId, 8080), destination: Other, policies: allowOnlyOther).Allowed);
    }

    [Fact]
    public void Authorize_PolicyInOtherNamespace_DoesNotApply()
    {
        var deny = Policy("deny-all", PolicyAction.Deny, ns: "elsewhere", rules: new PolicyRule());

        Assert.True(Authorize(ConnectionFacts.MutualTls(ClientId, 8080), policies: deny).Allowed);
    }

    [Fact]
    public void Authorize_RootNamespacePolicy_AppliesEverywhere()
    {
        var deny = Policy("deny-evil", PolicyAction.Deny, ns: MeshLabels.RootNamespace, rules: new PolicyRule { Namespaces = ["evil"] });

        Assert.Equal(new AuthorizationDecision(false, AuthorizationReason.DenyPolicyMatched, "mesh-system/deny-evil"),
            Authorize(ConnectionFacts.MutualTls(BadId, 8080), policies: deny));
        Assert.True(Authorize(ConnectionFacts.MutualTls(ClientId, 8080), policies: deny).Allowed);
    }

    [Fact]
    public void Authorize_RootNamespacePolicyWithSelector_AppliesOnlyToMatchingWorkloads()
    {
        var deny = Policy("deny-other", PolicyAction.Deny, ns: MeshLabels.RootNamespace, selector: Sel("app", "other"), rules: new PolicyRule());

        Assert.True(Authorize(ConnectionFacts.MutualTls(ClientId, 8080), policies: deny).Allowed);
        Assert.False(Authorize(ConnectionFacts.MutualTls(ClientId, 8080), destination: Other, policies: deny).Allowed);
    }

    [Fact]
    public void Authorize_NotPrincipalsStarDeny_RefusesPlaintextOnly()
    {
        // The Istio way to write STRICT as a policy: deny whatever has no principal.
        var requireMtls = Policy("require-mtls", PolicyAction.Deny, rules: new PolicyRule { NotPrincipals = ["*"] });

        Assert.False(Authorize(ConnectionFacts.PlaintextConnection(8080), policies: requireMtls).Allowed);
        Assert.True(Authorize(ConnectionFacts.MutualTls(ClientId, 8080), policies: requireMtls).Allowed);
    }

    [Fact]
    public void Authorize_AllowRuleWithL7Fields_NeverMatches()
    {
        var allow = Policy("allow-get", PolicyAction.Allow, rules: new PolicyRule { Principals = ["*"], Methods = ["GET"] });

        Assert.Equal(AuthorizationReason.NoAllowPolicyMatched, Authorize(ConnectionFacts.MutualTls(ClientId, 8080), policies: allow).Reason);
    }

    [Fact]
    public void Authorize_AllowWithL7RuleAndL4Rule_L4RuleStillAllows()
    {
        var allow = Policy("mixed", PolicyAction.Allow,
            rules: [new PolicyRule { Paths = ["/admin"] }, new PolicyRule { Ports = [8080] }]);

        Assert.True(Authorize(ConnectionFacts.MutualTls(ClientId, 8080), policies: allow).Allowed);
        Assert.False(Authorize(ConnectionFacts.MutualTls(ClientId, 9090), policies: allow).Allowed);
    }

    [Fact]
    public void Authorize_DenyRuleWithL7Fields_EnforcedOnItsL4Fields()
    {
        var deny = Policy("deny-post-from-bad", PolicyAction.Deny,
            rules: new PolicyRule { Principals = ["cluster.local/ns/evil/sa/bad"], Methods = ["POST"] });

        Assert.False(Authorize(ConnectionFacts.MutualTls(BadId, 8080), policies: deny).Allowed);
        Assert.True(Authorize(ConnectionFacts.MutualTls(ClientId, 8080), policies: deny).Allowed);
    }

    [Fact]
    public void Authorize_DenyRuleWithOnlyL7Fields_DeniesEverything()
    {
        var deny = Policy("deny-delete", PolicyAction.Deny, rules: new PolicyRule { Methods = ["DELETE"] });

        Assert.False(Authorize(ConnectionFacts.MutualTls(ClientId, 8080), policies: deny).Allowed);
    }

    [Fact]
    public void Authorize_SecondAllowPolicyMatches_AllowsNamingIt()
    {
        var a = Policy("a", PolicyAction.Allow, rules: new PolicyRule { Ports = [1] });
        var b = Policy("b", PolicyAction.Allow, rules: new PolicyRule { Ports = [8080] });

        Assert.Equal(new AuthorizationDecision(true, AuthorizationReason.AllowPolicyMatched, "app/b"),
            Authorize(ConnectionFacts.MutualTls(ClientId, 8080), policies: [a, b]));
    }

    [Fact]
    public void Authorize_PolicyWithDefaultRules_TreatedAsNoRules()
    {
        var broken = Policy("broken", PolicyAction.Allow) with { Rules = default };

        Assert.False(Authorize(ConnectionFacts.MutualTls(ClientId, 8080), policies: broken).Allowed);
    }
}
