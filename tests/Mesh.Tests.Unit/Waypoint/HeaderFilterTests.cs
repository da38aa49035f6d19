using Mesh.Core.Model;
using Mesh.Waypoint.Filters;
using Microsoft.AspNetCore.Http;

namespace Mesh.Tests.Unit.Waypoint;

public sealed class HeaderFilterTests
{
    private static HeaderDictionary Headers() => new()
    {
        ["my-header"] = "foo",
        ["x-multi"] = new Microsoft.Extensions.Primitives.StringValues(["a", "b"]),
        ["x-gone"] = "bye",
    };

    [Fact]
    public void Apply_Set_ReplacesEveryValueAndCreatesMissing()
    {
        var h = Headers();

        HeaderFilter.Apply(new HttpHeaderModifier { Set = [new("X-Multi", "c"), new("x-new", "n")] }, h);

        Assert.Equal("c", h["x-multi"].ToString());
        Assert.Single(h["x-multi"]);
        Assert.Equal("n", h["x-new"].ToString());
        Assert.Equal("foo", h["my-header"].ToString());
    }

    [Fact]
    public void Apply_Add_AppendsToExistingValues()
    {
        var h = Headers();

        HeaderFilter.Apply(new HttpHeaderModifier { Add = [new("my-header", "bar"), new("x-new", "n")] }, h);

        // Gateway API's example: "my-header: foo" with add bar is "my-header: foo,bar".
        Assert.Equal("foo,bar", h["my-header"].ToString());
        Assert.Equal(2, h["my-header"].Count);
        Assert.Equal("n", h["x-new"].ToString());
    }

    [Fact]
    public void Apply_Remove_DropsCaseInsensitively()
    {
        var h = Headers();

        HeaderFilter.Apply(new HttpHeaderModifier { Remove = ["X-GONE", "absent"] }, h);

        Assert.False(h.ContainsKey("x-gone"));
        Assert.Equal(2, h.Count);
    }

    [Fact]
    public void Apply_NullModifier_LeavesHeaders()
    {
        var h = Headers();

        HeaderFilter.Apply(null, h);

        Assert.Equal(3, h.Count);
    }
}
