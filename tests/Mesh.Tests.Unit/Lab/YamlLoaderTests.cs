using Mesh.Lab.Parsing;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Mesh.Tests.Unit.Lab;

public sealed class YamlLoaderTests
{
    [Fact]
    public void Load_FlowNestingOf300kLevels_ThrowsYamlExceptionInsteadOfOverflowingTheStack()
    {
        // Found by fuzzing the YAML readers: 600 KB of brackets overflowed YamlDotNet's recursive loader and killed the process.
        var deep = "a: " + new string('[', 300_000) + new string(']', 300_000);

        var e = Assert.Throws<YamlException>(() => YamlLoader.Load(deep));

        Assert.Contains($"deeper than {YamlLoader.MaxDepth}", e.Message, StringComparison.Ordinal);
        Assert.Equal(1, e.Start.Line);
    }

    [Fact]
    public void Load_NestingAtTheLimit_Loads()
    {
        // The root mapping is one level; the sequences fill the rest.
        var depth = YamlLoader.MaxDepth - 1;
        var stream = YamlLoader.Load("a: " + new string('[', depth) + new string(']', depth));

        var node = ((YamlMappingNode)stream.Documents[0].RootNode).Children[new YamlScalarNode("a")];
        for (var i = 1; i < depth; i++)
        {
            node = ((YamlSequenceNode)node).Children[0];
        }
        Assert.Empty(((YamlSequenceNode)node).Children);
    }

    [Theory]
    [MemberData(nameof(ControlPlane.YamlDocumentsTests.ParserCrashes), MemberType = typeof(ControlPlane.YamlDocumentsTests))]
    public void Load_InputYamlDotNetRejectsWithOtherExceptions_ThrowsYamlException(string input)
    {
        Assert.ThrowsAny<YamlException>(() => YamlLoader.Load(ControlPlane.YamlDocumentsTests.Text(input)));
    }
}
