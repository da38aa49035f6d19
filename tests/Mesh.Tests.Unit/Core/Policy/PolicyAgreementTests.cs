using Mesh.Core.Identity;
using Mesh.Core.Model;
using Mesh.Waypoint.Authorization;
using Mesh.Ztunnel.Inbound;
using static Mesh.Tests.Unit.Ztunnel.TestWorkloads;

namespace Mesh.Tests.Unit.Core.Policy;

/// <summary>
/// One table of rules x facts run through both authorizers (ztunnel's <see cref="L4Authorizer"/> and the waypoint's
/// <see cref="L7Authorizer"/>): where a rule has no L7 fields they must agree; where it has, L4 keeps its documented
/// semantics (ALLOW never matches; DENY is enforced on its L4 fields alone).
/// </summary>
public sealed class PolicyAgreementTests
{
    private static readonly Workload Echo = Pod("app", "echo", "198.18.1.3", labels: ("app", "echo"));
    private static readonly NamespacedName Gateway = new("app", "waypoint");
    private static readonly Service EchoService = new() { Name = "echo", Namespace = "app" };

    private static readonly Dictionary<string, PolicyRule> Rules = new()
    {
        ["empty"] = new PolicyRule(),
        ["principal"] = new PolicyRule { Principals = ["cluster.local/ns/app/sa/client"] },
        ["spiffe principal"] = new PolicyRule { Principals = ["spiffe://cluster.local/ns/app/sa/client"] },
        ["principal wildcard"] = new PolicyRule { Principals = ["*"] },
        ["principal prefix"] = new PolicyRule { Principals = ["cluster.local/ns/app/*"] },
        ["principal suffix"] = new PolicyRule { Principals = ["*/sa/client"] },
        ["spiffe principal prefix"] = new PolicyRule { Principals = ["spiffe://cluster.local/ns/app/*"] },
        ["not principal"] = new PolicyRule { NotPrincipals = ["cluster.local/ns/app/sa/client"] },
        ["not spiffe principal"] = new PolicyRule { NotPrincipals = ["spiffe://cluster.local/ns/app/sa/client"] },
        ["not any principal"] = new PolicyRule { NotPrincipals = ["*"] },
        ["namespace"] = new PolicyRule { Namespaces = ["app"] },
        ["namespace prefix"] = new PolicyRule { Namespaces = ["ap*"] },
        ["not namespace"] = new PolicyRule { NotNamespaces = ["app"] },
        ["port"] = new PolicyRule { Ports = [80] },
        ["not port"] = new PolicyRule { NotPorts = [80] },
        ["principal and port"] = new PolicyRule { Principals = ["cluster.local/ns/app/sa/client"], Ports = [9090] },
        ["method"] = new PolicyRule { Methods = ["GET"] },
        ["path prefix"] = new PolicyRule { Paths = ["/api/*"] },
        ["principal and method"] = new PolicyRule { Principals = ["spiffe://cluster.local/ns/other/*"], Methods = ["POST"] },
    };

    private static readonly Dictionary<string, (SpiffeId? Peer, int Port)> Facts = new()
    {
        ["client:80"] = (SpiffeId.Parse("spiffe://cluster.local/ns/app/sa/client"), 80),
        ["client:9090"] = (SpiffeId.Parse("spiffe://cluster.local/ns/app/sa/client"), 9090),
        ["other-ns:80"] = (SpiffeId.Parse("spiffe://cluster.local/ns/other/sa/x"), 80),
        ["other-sa:80"] = (SpiffeId.Parse("spiffe://cluster.local/ns/app/sa/x"), 80),
        ["foreign-td:80"] = (SpiffeId.Parse("spiffe://example.org/ns/app/sa/client"), 80),
        ["no identity:80"] = (null, 80),
    };

    public static TheoryData<string, string, PolicyAction> Table()
    {
        var data = new TheoryData<string, string, PolicyAction>();
        foreach (var rule in Rules.Keys)
        {
            foreach (var facts in Facts.Keys)
            {
                data.Add(rule, facts, PolicyAction.Allow);
                data.Add(rule, facts, PolicyAction.Deny);
            }
        }
        return data;
    }

    private static bool L4(PolicyRule rule, PolicyAction action, SpiffeId? peer, int port)
    {
        var policy = new AuthorizationPolicy { Name = "p", Namespace = "app", Action = action, Rules = [rule] };
        var facts = peer is { } p ? ConnectionFacts.MutualTls(p, port) : ConnectionFacts.PlaintextConnection(port);
        return L4Authorizer.Authorize(State([Echo], policies: [policy]), Echo, facts, MtlsMode.Permissive).Allowed;
    }

    private static bool L7(PolicyRule rule, PolicyAction action, SpiffeId? peer, int port, string method = "GET", string path = "/api/x")
    {
        var policy = new AuthorizationPolicy
        {
            Name = "p", Namespace = "app", Action = action, Rules = [rule], TargetRefs = [new PolicyTargetRef("Service", "echo")],
        };
        return L7Authorizer.Authorize([policy], Gateway, EchoService, new L7RequestFacts(peer, port, method, path)).Allowed;
    }

    [Theory]
    [MemberData(nameof(Table))]
    public void Authorize_SameRuleAndFacts_L4AndL7Agree(string ruleName, string factsName, PolicyAction action)
    {
        var rule = Rules[ruleName];
        var (peer, port) = Facts[factsName];
        var l4 = L4(rule, action, peer, port);

        if (rule.Methods.IsEmpty && rule.Paths.IsEmpty)
        {
            Assert.Equal(L7(rule, action, peer, port), l4);
            Assert.Equal(L7(rule, action, peer, port, "POST", "/other"), l4);
        }
        else if (action == PolicyAction.Allow)
        {
            Assert.False(l4);
        }
        else
        {
            var l4Only = rule with { Methods = [], Paths = [] };
            Assert.Equal(L7(l4Only, action, peer, port), l4);
        }
    }

    [Fact]
    public void Authorize_SpiffePrincipal_AllowsTheClientAtL4AndL7()
    {
        var rule = Rules["spiffe principal"];
        var client = SpiffeId.Parse("spiffe://cluster.local/ns/app/sa/client");
        var other = SpiffeId.Parse("spiffe://cluster.local/ns/app/sa/x");

        Assert.True(L4(rule, PolicyAction.Allow, client, 80));
        Assert.True(L7(rule, PolicyAction.Allow, client, 80));
        Assert.False(L4(rule, PolicyAction.Allow, other, 80));
        Assert.False(L7(rule, PolicyAction.Allow, other, 80));
    }

    [Fact]
    public void Authorize_L7Rule_WaypointChecksMethodWhereL4Cannot()
    {
        var rule = Rules["method"];
        var client = SpiffeId.Parse("spiffe://cluster.local/ns/app/sa/client");

        Assert.True(L7(rule, PolicyAction.Allow, client, 80, "GET"));
        Assert.False(L7(rule, PolicyAction.Allow, client, 80, "POST"));
        Assert.False(L4(rule, PolicyAction.Allow, client, 80));
        Assert.False(L4(rule, PolicyAction.Deny, client, 80));
        Assert.True(L7(rule, PolicyAction.Deny, client, 80, "POST"));
    }
}
