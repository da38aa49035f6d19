using Mesh.Core.Identity;
using Mesh.Core.Model;
using Mesh.Core.Policy;

namespace Mesh.Tests.Unit.Core.Policy;

public sealed class PolicyMatcherTests
{
    private static readonly PolicyFacts FromClient = new(SpiffeId.Parse("spiffe://cluster.local/ns/app/sa/client"), 8080);
    private static readonly PolicyFacts Plain = new(null, 8080);

    [Theory]
    [InlineData("*", "cluster.local/ns/a/sa/b", true)]
    [InlineData("*", "", false)]
    [InlineData("cluster.local/ns/a/sa/b", "cluster.local/ns/a/sa/b", true)]
    [InlineData("cluster.local/ns/a/sa/b", "cluster.local/ns/a/sa/bb", false)]
    [InlineData("cluster.local/ns/a/*", "cluster.local/ns/a/sa/b", true)]
    [InlineData("cluster.local/ns/a/*", "cluster.local/ns/ab/sa/b", false)]
    [InlineData("*/sa/b", "cluster.local/ns/a/sa/b", true)]
    [InlineData("*/sa/b", "cluster.local/ns/a/sa/c", false)]
    public void StringMatches_IstioPatterns(string pattern, string value, bool expected)
    {
        Assert.Equal(expected, PolicyMatcher.StringMatches(pattern, value));
    }

    [Fact]
    public void Matches_EmptyRule_MatchesAnyConnection()
    {
        Assert.True(PolicyMatcher.RuleMatches(new PolicyRule(), PolicyAction.Allow, FromClient));
        Assert.True(PolicyMatcher.RuleMatches(new PolicyRule(), PolicyAction.Allow, Plain));
    }

    [Fact]
    public void Matches_AllFieldsMustMatch()
    {
        var rule = new PolicyRule { Namespaces = ["app"], Ports = [8080] };

        Assert.True(PolicyMatcher.RuleMatches(rule, PolicyAction.Allow, FromClient));
        Assert.False(PolicyMatcher.RuleMatches(rule, PolicyAction.Allow, FromClient with { Port = 9090 }));
        Assert.False(PolicyMatcher.RuleMatches(rule, PolicyAction.Allow, Plain));
    }

    [Fact]
    public void Matches_AnyValueWithinField()
    {
        var rule = new PolicyRule { Ports = [1, 8080, 3] };

        Assert.True(PolicyMatcher.RuleMatches(rule, PolicyAction.Allow, FromClient));
    }

    [Fact]
    public void Matches_NotNamespaces_ExcludesListedAndMatchesAbsent()
    {
        var rule = new PolicyRule { NotNamespaces = ["app"] };

        Assert.False(PolicyMatcher.RuleMatches(rule, PolicyAction.Deny, FromClient));
        Assert.True(PolicyMatcher.RuleMatches(rule, PolicyAction.Deny, Plain));
    }

    [Fact]
    public void Matches_NotPorts_ExcludesListed()
    {
        var rule = new PolicyRule { NotPorts = [8080] };

        Assert.False(PolicyMatcher.RuleMatches(rule, PolicyAction.Deny, FromClient));
        Assert.True(PolicyMatcher.RuleMatches(rule, PolicyAction.Deny, FromClient with { Port = 80 }));
    }

    [Fact]
    public void Matches_NotPrincipals_MatchesOthers()
    {
        var rule = new PolicyRule { NotPrincipals = ["cluster.local/ns/app/sa/client"] };

        Assert.False(PolicyMatcher.RuleMatches(rule, PolicyAction.Deny, FromClient));
        Assert.True(PolicyMatcher.RuleMatches(rule, PolicyAction.Deny,
            new PolicyFacts(SpiffeId.Parse("spiffe://cluster.local/ns/app/sa/x"), 8080)));
    }

    [Fact]
    public void Matches_L7Fields_NeverForAllowAndIgnoredForDeny()
    {
        var rule = new PolicyRule { Ports = [8080], Paths = ["/x"] };

        Assert.True(PolicyMatcher.HasL7Fields(rule));
        Assert.False(PolicyMatcher.RuleMatches(rule, PolicyAction.Allow, FromClient));
        Assert.True(PolicyMatcher.RuleMatches(rule, PolicyAction.Deny, FromClient));
        Assert.False(PolicyMatcher.RuleMatches(rule, PolicyAction.Deny, FromClient with { Port = 1 }));
    }

    [Fact]
    public void Principal_IsSpiffeIdWithoutScheme()
    {
        Assert.Equal("cluster.local/ns/app/sa/client", FromClient.Principal);
        Assert.Equal("app", FromClient.Namespace);
        Assert.Null(Plain.Principal);
        Assert.Null(Plain.Namespace);
    }

    [Fact]
    public void RuleMatches_PrincipalWrittenWithScheme_MatchesLikeWithout()
    {
        Assert.True(PolicyMatcher.RuleMatches(new PolicyRule { Principals = ["spiffe://cluster.local/ns/app/sa/client"] }, PolicyAction.Allow, FromClient));
        Assert.False(PolicyMatcher.RuleMatches(new PolicyRule { NotPrincipals = ["spiffe://cluster.local/ns/app/sa/client"] }, PolicyAction.Allow, FromClient));
        Assert.True(PolicyMatcher.RuleMatches(new PolicyRule { Principals = ["spiffe://cluster.local/ns/app/*"] }, PolicyAction.Allow, FromClient));
    }

    [Fact]
    public void RuleMatches_SchemeOnlyStrippedFromPrincipals()
    {
        Assert.False(PolicyMatcher.RuleMatches(new PolicyRule { Namespaces = ["spiffe://app"] }, PolicyAction.Allow, FromClient));
    }

    [Theory]
    [InlineData("GET", "/api/x", true)]
    [InlineData("POST", "/api/x", false)]
    [InlineData("GET", "/other", false)]
    public void RuleMatches_L7FactsGiven_MethodsAndPathsChecked(string method, string path, bool expected)
    {
        var rule = new PolicyRule { Ports = [8080], Methods = ["GET"], Paths = ["/api/*"] };

        Assert.Equal(expected, PolicyMatcher.RuleMatches(rule, PolicyAction.Allow, FromClient with { Method = method, Path = path }));
        Assert.Equal(expected, PolicyMatcher.RuleMatches(rule, PolicyAction.Deny, FromClient with { Method = method, Path = path }));
    }

    [Theory]
    [InlineData("/api", "/api", true)]
    [InlineData("/api", "/api/x", false)]
    [InlineData("/api/*", "/api/x", true)]
    [InlineData("*.png", "/img/a.png", true)]
    [InlineData("*", "/anything", true)]
    public void RuleMatches_PathPatterns_ExactPrefixSuffixPresence(string pattern, string path, bool expected)
    {
        Assert.Equal(expected, PolicyMatcher.RuleMatches(new PolicyRule { Paths = [pattern] }, PolicyAction.Allow, FromClient with { Method = "GET", Path = path }));
    }

    [Fact]
    public void PolicyMatches_DefaultOrEmptyRules_MatchesNothing()
    {
        var none = new AuthorizationPolicy { Name = "p", Namespace = "app", Rules = default };
        var empty = none with { Rules = [] };

        Assert.False(PolicyMatcher.PolicyMatches(none, FromClient));
        Assert.False(PolicyMatcher.PolicyMatches(empty, FromClient));
    }
}
