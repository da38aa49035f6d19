using Mesh.Core.CommandLine;
using Mesh.Core.Text;

namespace Mesh.Tests.Unit.Core.CommandLine;

public sealed class FlagParserTests
{
    private static readonly Flag[] Flags =
    [
        new("node", "the node", "NODE_NAME"),
        new("drain-timeout", "the drain") { Default = "30s" },
    ];

    private static FlagParse Parse(string[] args, Dictionary<string, string>? env = null) =>
        FlagParser.Parse("tool", "a tool", Flags, args, name => env?.GetValueOrDefault(name));

    [Fact]
    public void Parse_GivenFlags_AreTheValues()
    {
        var parse = Parse(["--node", "a", "--drain-timeout", "5s"]);

        Assert.Null(parse.Error);
        Assert.Equal(new Dictionary<string, string> { ["node"] = "a", ["drain-timeout"] = "5s" }, parse.Values);
    }

    [Fact]
    public void Parse_FlagAbsent_MeshVariableThenAliasFromTheEnvironment()
    {
        Assert.Equal("env-a", Parse([], new() { ["MESH_NODE"] = "env-a", ["NODE_NAME"] = "env-b" }).Values["node"]);
        Assert.Equal("env-b", Parse([], new() { ["NODE_NAME"] = "env-b" }).Values["node"]);
        Assert.Equal("flag", Parse(["--node", "flag"], new() { ["MESH_NODE"] = "env-a" }).Values["node"]);
        Assert.Equal("1m", Parse([], new() { ["MESH_DRAIN_TIMEOUT"] = "1m" }).Values["drain-timeout"]);
        Assert.False(Parse([], new() { ["MESH_NODE"] = "" }).Values.ContainsKey("node"));
    }

    [Theory]
    [InlineData("--nod a", "--nod")]
    [InlineData("--node", "--node")]
    [InlineData("--node a --node b", "--node")]
    [InlineData("stray", "stray")]
    public void Parse_UsageError_OneLineNamingItAndPointingAtHelp(string commandLine, string named)
    {
        var parse = Parse(commandLine.Split(' '));

        Assert.NotNull(parse.Error);
        Assert.Contains(named, parse.Error, StringComparison.Ordinal);
        Assert.EndsWith("(see 'tool --help')", parse.Error, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', parse.Error);
        Assert.Empty(parse.Values);
    }

    [Fact]
    public void Parse_ValueStartingWithAt_IsAValueNotAResponseFile()
    {
        Assert.Equal("@nodes", Parse(["--node", "@nodes"]).Values["node"]);
    }

    [Fact]
    public void Parse_Help_ListsEveryFlagWithDefaultAndVariables()
    {
        var parse = Parse(["--help"]);

        Assert.Null(parse.Error);
        Assert.Contains("--node", parse.Help, StringComparison.Ordinal);
        Assert.Contains("[env MESH_NODE, NODE_NAME]", parse.Help, StringComparison.Ordinal);
        Assert.Contains("(default 30s)", parse.Help, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_SubcommandPath_NamedInErrors()
    {
        var parse = FlagParser.Parse("tool uninstall", "d", Flags, ["--x"], _ => null);

        Assert.EndsWith("(see 'tool uninstall --help')", parse.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, "0")]
    [InlineData(30_000, "30s")]
    [InlineData(60_000, "1m")]
    [InlineData(3_600_000, "1h")]
    [InlineData(1_500, "1500ms")]
    [InlineData(86_400_000, "1d")]
    public void DurationFormat_ReadsBackAsTheSameDuration(int milliseconds, string text)
    {
        var value = TimeSpan.FromMilliseconds(milliseconds);

        Assert.Equal(text, DurationText.Format(value));
        Assert.True(DurationText.TryParse(DurationText.Format(value), out var back));
        Assert.Equal(value, back);
    }
}
