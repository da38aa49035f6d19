using Mesh.Core.Identity;
using Mesh.Core.Model;
using Mesh.Ztunnel.Inbound;

namespace Mesh.Tests.Unit.Ztunnel.Inbound;

public sealed class PolicyRuleMatcherTests
{
    private static readonly ConnectionFacts FromClient = ConnectionFacts.MutualTls(SpiffeId.Parse("spiffe://cluster.local/ns/app/sa/client"), 8080);
    private static readonly ConnectionFacts Plain = ConnectionFacts.PlaintextConnection(8080);

    [Theory]
    [InlineData("*", "cluster.local/ns/a/sa/b", true)]
    [InlineData("*", "", false)]
    [InlineData("cluster.local/ns/a/sa/b", "cluster.local/ns/a/sa/b", true)]
    [InlineData("spiffe://cluster.local/ns/a/sa/b", "cluster.local/ns/a/sa/b", true)]
    [InlineData("cluster.local/ns/a/sa/b", "cluster.local/ns/a/sa/bb", false)]
    [InlineData("cluster.local/ns/a/*", "cluster.local/ns/a/sa/b", true)]
    [InlineData("cluster.local/ns/a/*", "cluster.local/ns/ab/sa/b", false)]
    [InlineData("*/sa/b", "cluster.local/ns/a/sa/b", true)]
    [InlineData("*/sa/b", "cluster.local/ns/a/sa/c", false)]
    public void StringMatches_IstioPatterns(string pattern, string value, bool expected)
    {
        Assert.Equal(expected, PolicyRuleMatcher.StringMatches(pattern, value));
    }

    [Fact]
    public void Matches_EmptyRule_MatchesAnyConnection()
    {
        Assert.True(PolicyRuleMatcher.Matches(new PolicyRule(), PolicyAction.Allow, FromClient));
        Assert.True(PolicyRuleMatcher.Matches(new PolicyRule(), PolicyAction.Allow, Plain));
    }

    [Fact]
    public void Matches_AllFieldsMustMatch()
    {
        var rule = new PolicyRule { Namespaces = ["app"], Ports = [8080] };

        Assert.True(PolicyRuleMatcher.Matches(rule, PolicyAction.Allow, FromClient));
        Assert.False(PolicyRuleMatcher.Matches(rule, PolicyAction.Allow, FromClient with { DestinationPort = 9090 }));
        Assert.False(PolicyRuleMatcher.Matches(rule, PolicyAction.Allow, Plain));
    }

    [Fact]
    public void Matches_AnyValueWithinField()
    {
        var rule = new PolicyRule { Ports = [1, 8080, 3] };

        Assert.True(PolicyRuleMatcher.Matches(rule, PolicyAction.Allow, FromClient));
    }

    [Fact]
    public void Matches_NotNamespaces_ExcludesListedAndMatchesAbsent()
    {
        var rule = new PolicyRule { NotNamespaces = ["app"] };

        Assert.False(PolicyRuleMatcher.Matches(rule, PolicyAction.Deny, FromClient));
        Assert.True(PolicyRuleMatcher.Matches(rule, PolicyAction.Deny, Plain));
    }

    [Fact]
    public void Matches_NotPorts_ExcludesListed()
    {
        var rule = new PolicyRule { NotPorts = [8080] };

        Assert.False(PolicyRuleMatcher.Matches(rule, PolicyAction.Deny, FromClient));
        Assert.True(PolicyRuleMatcher.Matches(rule, PolicyAction.Deny, FromClient with { DestinationPort = 80 }));
    }

    [Fact]
    public void Matches_NotPrincipals_MatchesOthers()
    {
        var rule = new PolicyRule { NotPrincipals = ["cluster.local/ns/app/sa/client"] };

        Assert.False(PolicyRuleMatcher.Matches(rule, PolicyAction.Deny, FromClient));
        Assert.True(PolicyRuleMatcher.Matches(rule, PolicyAction.Deny,
            ConnectionFacts.MutualTls(SpiffeId.Parse("spiffe://cluster.local/ns/app/sa/x"), 8080)));
    }

    [Fact]
    public void Matches_L7Fields_NeverForAllowAndIgnoredForDeny()
    {
        var rule = new PolicyRule { Ports = [8080], Paths = ["/x"] };

        Assert.True(PolicyRuleMatcher.HasL7Fields(rule));
        Assert.False(PolicyRuleMatcher.Matches(rule, PolicyAction.Allow, FromClient));
        Assert.True(PolicyRuleMatcher.Matches(rule, PolicyAction.Deny, FromClient));
        Assert.False(PolicyRuleMatcher.Matches(rule, PolicyAction.Deny, FromClient with { DestinationPort = 1 }));
    }

    [Fact]
    public void PeerPrincipal_IsSpiffeIdWithoutScheme()
    {
        Assert.Equal("cluster.local/ns/app/sa/client", FromClient.PeerPrincipal);
        Assert.Equal("app", FromClient.PeerNamespace);
        Assert.Null(Plain.PeerPrincipal);
        Assert.Null(Plain.PeerNamespace);
    }
}
