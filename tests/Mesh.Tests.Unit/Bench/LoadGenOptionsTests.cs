using Mesh.Bench.LoadGen;

namespace Mesh.Tests.Unit.Bench;

public sealed class LoadGenOptionsTests
{
    [Fact]
    public void Parse_AllOptions_Set()
    {
        var o = LoadGenOptions.Parse(["--target", "198.18.2.3:8080", "--path", "/?size=1024", "--rate", "500",
            "--duration", "7", "--warmup", "0", "--connections", "8", "--json", "/tmp/x.json"]);

        Assert.Equal("198.18.2.3:8080", o.Target.ToString());
        Assert.Equal("/?size=1024", o.Path);
        Assert.Equal(500, o.Rate);
        Assert.Equal(TimeSpan.FromSeconds(7), o.Duration);
        Assert.Equal(TimeSpan.Zero, o.Warmup);
        Assert.Equal(8, o.Connections);
        Assert.Equal("/tmp/x.json", o.JsonPath);
    }

    [Theory]
    [InlineData(new[] { "--rate", "10" }, "--target is required")]
    [InlineData(new[] { "--target", "nohost" }, "is not IP:PORT")]
    [InlineData(new[] { "--target", "198.18.0.1:80", "--rate", "-1" }, "must be a whole number above 0")]
    [InlineData(new[] { "--target", "198.18.0.1:80", "--bogus", "1" }, "unknown option '--bogus'")]
    [InlineData(new[] { "--target" }, "--target needs a value")]
    [InlineData(new[] { "--target", "198.18.0.1:80", "--path", "x" }, "must start with /")]
    public void Parse_BadInput_OneLineMessage(string[] args, string expected)
    {
        var e = Assert.Throws<ArgumentException>(() => LoadGenOptions.Parse(args));

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }
}
