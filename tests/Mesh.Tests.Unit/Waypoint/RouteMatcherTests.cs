using Mesh.Core.Model;
using Mesh.Waypoint.Routing;
using static Mesh.Tests.Unit.Waypoint.RouteFixtures;

namespace Mesh.Tests.Unit.Waypoint;

public sealed class RouteMatcherTests
{
    [Theory]
    [InlineData("/abc", "/abc", true)]
    [InlineData("/abc", "/abc/", true)]
    [InlineData("/abc", "/abc/def", true)]
    [InlineData("/abc", "/abcd", false)]
    [InlineData("/abc/", "/abc", true)]
    [InlineData("/abc/", "/abcd", false)]
    [InlineData("/", "/anything", true)]
    [InlineData("/abc", "/ab", false)]
    public void PrefixMatches_SegmentWise(string prefix, string path, bool expected)
    {
        Assert.Equal(expected, RouteMatcher.PrefixMatches(prefix, path));
    }

    [Theory]
    [InlineData("Exact", "/a", "/a", true)]
    [InlineData("Exact", "/a", "/a/", false)]
    [InlineData("RegularExpression", "/v[0-9]+/.*", "/v2/x", true)]
    [InlineData("RegularExpression", "/v[0-9]+", "/v2/x", false)]
    [InlineData("RegularExpression", "([", "/x", false)]
    public void PathMatches_ExactAndWholeRegex(string type, string value, string path, bool expected)
    {
        Assert.Equal(expected, RouteMatcher.PathMatches(type, value, path));
    }

    [Fact]
    public void Matches_HeaderNameCaseInsensitiveValueExact()
    {
        var match = new HttpRouteMatch { Headers = [new HttpHeaderMatch("X-Env", "prod")] };

        Assert.True(RouteMatcher.Matches(match, Get(headers: new() { ["x-env"] = "prod" })));
        Assert.False(RouteMatcher.Matches(match, Get(headers: new() { ["x-env"] = "Prod" })));
        Assert.False(RouteMatcher.Matches(match, Get()));
    }

    [Fact]
    public void Matches_HeaderRegex()
    {
        var match = new HttpRouteMatch { Headers = [new HttpHeaderMatch("x-user", "a.*", "RegularExpression")] };

        Assert.True(RouteMatcher.Matches(match, Get(headers: new() { ["x-user"] = "alice" })));
        Assert.False(RouteMatcher.Matches(match, Get(headers: new() { ["x-user"] = "bob" })));
    }

    [Fact]
    public void Matches_MethodCaseSensitive()
    {
        var match = new HttpRouteMatch { Method = "GET" };

        Assert.True(RouteMatcher.Matches(match, Get()));
        Assert.False(RouteMatcher.Matches(match, Get(method: "POST")));
    }

    [Theory]
    [InlineData("echo.app", true)]
    [InlineData("ECHO.app:8080", true)]
    [InlineData("x.echo.app", false)]
    [InlineData(null, false)]
    public void HostMatches_ExactIgnoringPortAndCase(string? host, bool expected)
    {
        Assert.Equal(expected, RouteMatcher.HostMatches(["echo.app"], host));
    }

    [Fact]
    public void HostMatches_WildcardNeedsALabel()
    {
        Assert.True(RouteMatcher.HostMatches(["*.example.com"], "a.example.com"));
        Assert.False(RouteMatcher.HostMatches(["*.example.com"], "example.com"));
        Assert.True(RouteMatcher.HostMatches([], null));
    }

    [Fact]
    public void Rank_ExactOverPrefixOverRegex_LongerPrefixWins()
    {
        var exact = RouteMatcher.Rank(new HttpRouteMatch { PathType = "Exact", PathValue = "/a" });
        var longPrefix = RouteMatcher.Rank(new HttpRouteMatch { PathType = "PathPrefix", PathValue = "/abc" });
        var shortPrefix = RouteMatcher.Rank(new HttpRouteMatch { PathType = "PathPrefix", PathValue = "/a" });
        var regex = RouteMatcher.Rank(new HttpRouteMatch { PathType = "RegularExpression", PathValue = "/.*" });

        Assert.True(exact.CompareTo(longPrefix) > 0);
        Assert.True(longPrefix.CompareTo(shortPrefix) > 0);
        Assert.True(shortPrefix.CompareTo(regex) > 0);
    }
}
