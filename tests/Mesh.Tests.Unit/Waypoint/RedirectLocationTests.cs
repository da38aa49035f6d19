using Mesh.Core.Model;
using Mesh.Waypoint.Filters;

namespace Mesh.Tests.Unit.Waypoint;

public sealed class RedirectLocationTests
{
    private static string Build(HttpRedirect r, string? host = "echo.app:80", int port = 80, string path = "/a/b", string query = "?q=1", string? prefix = "/a") =>
        RedirectLocation.Build(r, host, "198.19.128.1", port, path, query, prefix);

    [Fact]
    public void Build_NothingSet_SameUrlDefaultPortLeftOut()
    {
        Assert.Equal("http://echo.app/a/b?q=1", Build(new HttpRedirect()));
    }

    [Fact]
    public void Build_SchemeHttps_WellKnownPortLeftOut()
    {
        Assert.Equal("https://echo.app/a/b?q=1", Build(new HttpRedirect { Scheme = "https" }, port: 8080));
    }

    [Fact]
    public void Build_NoSchemeNonDefaultListenerPort_PortKept()
    {
        Assert.Equal("http://echo.app:8080/a/b?q=1", Build(new HttpRedirect(), host: "echo.app:8080", port: 8080));
    }

    [Fact]
    public void Build_HostnamePortAndPrefixPath_AllReplaced()
    {
        var r = new HttpRedirect { Hostname = "other.example", Port = 9090, Path = new HttpPathModifier("ReplacePrefixMatch", "/z") };

        Assert.Equal("http://other.example:9090/z/b?q=1", Build(r));
    }

    [Fact]
    public void Build_HttpsOn443_PortLeftOut()
    {
        Assert.Equal("https://echo.app/new", Build(new HttpRedirect { Scheme = "https", Port = 443, Path = new HttpPathModifier("ReplaceFullPath", "/new") }, query: ""));
    }

    [Fact]
    public void Build_NoHostHeader_DestinationAddress()
    {
        Assert.Equal("http://198.19.128.1/a/b", Build(new HttpRedirect(), host: null, query: ""));
    }

    [Theory]
    [InlineData("a.b:8080", "a.b")]
    [InlineData("a.b", "a.b")]
    [InlineData("[::1]:80", "[::1]")]
    [InlineData("[::1]", "[::1]")]
    public void WithoutPort_HostHeader_HostOnly(string host, string expected)
    {
        Assert.Equal(expected, RedirectLocation.WithoutPort(host));
    }
}
