using Mesh.Core.Model;
using Mesh.Waypoint.Filters;

namespace Mesh.Tests.Unit.Waypoint;

public sealed class PathRewriterTests
{
    // Gateway API's table for ReplacePrefixMatch (request path, prefix match, replacement, path sent).
    [Theory]
    [InlineData("/foo/bar", "/foo", "/xyz", "/xyz/bar")]
    [InlineData("/foo/bar", "/foo", "/xyz/", "/xyz/bar")]
    [InlineData("/foo/bar", "/foo/", "/xyz", "/xyz/bar")]
    [InlineData("/foo/bar", "/foo/", "/xyz/", "/xyz/bar")]
    [InlineData("/foo", "/foo", "/xyz", "/xyz")]
    [InlineData("/foo/", "/foo", "/xyz", "/xyz/")]
    [InlineData("/foo/bar", "/foo", "", "/bar")]
    [InlineData("/foo/", "/foo", "", "/")]
    [InlineData("/foo", "/foo", "", "/")]
    [InlineData("/foo/", "/foo", "/", "/")]
    [InlineData("/foo", "/foo", "/", "/")]
    [InlineData("/foo/bar", "/", "/xyz", "/xyz/foo/bar")]
    public void Apply_ReplacePrefixMatch_GatewayApiTable(string path, string prefix, string replacement, string expected)
    {
        Assert.Equal(expected, PathRewriter.Apply(new HttpPathModifier("ReplacePrefixMatch", replacement), path, prefix));
    }

    [Fact]
    public void Apply_ReplaceFullPath_WholePathReplaced()
    {
        Assert.Equal("/new", PathRewriter.Apply(new HttpPathModifier("ReplaceFullPath", "/new"), "/old/deep/path", "/old"));
    }

    [Fact]
    public void Apply_NoModifier_PathUnchanged()
    {
        Assert.Equal("/a/b", PathRewriter.Apply(null, "/a/b", "/a"));
    }
}
