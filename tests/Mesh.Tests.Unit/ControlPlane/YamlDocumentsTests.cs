using System.Text.Json;
using Mesh.ControlPlane.Registry;
using Mesh.Tests.Common.ControlPlane;

namespace Mesh.Tests.Unit.ControlPlane;

public sealed class YamlDocumentsTests
{
    [Fact]
    public void Parse_MultiDocument_ConvertsScalarTypesLikeKubectl()
    {
        var docs = YamlDocuments.Parse("""
            a: 1
            b: "1"
            c: true
            d: ~
            e: 1.5
            f: text
            ---
            # empty document below
            ---
            kind: List
            items: [ { kind: Pod }, { kind: Service } ]
            """);

        Assert.Equal(3, docs.Count);
        Assert.Equal(JsonValueKind.Number, docs[0]["a"]!.GetValueKind());
        Assert.Equal(JsonValueKind.String, docs[0]["b"]!.GetValueKind());
        Assert.Equal(JsonValueKind.True, docs[0]["c"]!.GetValueKind());
        Assert.Null(docs[0]["d"]);
        Assert.Equal(JsonValueKind.Number, docs[0]["e"]!.GetValueKind());
        Assert.Equal("text", docs[0]["f"]!.GetValue<string>());
        Assert.Equal("Pod", docs[1]["kind"]!.GetValue<string>());
        Assert.Equal("Service", docs[2]["kind"]!.GetValue<string>());
    }

    [Fact]
    public void Parse_Malformed_ThrowsWithLineAndColumn()
    {
        var e = Assert.Throws<YamlDocumentException>(() => YamlDocuments.Parse("a: 1\nb: c: d"));

        Assert.Equal(2, e.Line);
        Assert.True(e.Column > 0);
        Assert.StartsWith("line 2, column ", e.Message);
    }

    [Fact]
    public void Parse_InputThatBreaksYamlDotNetsScanner_ReportedAsMalformed()
    {
        // YamlDotNet 16.3 throws InvalidOperationException here; it once crash-looped the file registry.
        var e = Assert.Throws<YamlDocumentException>(() => YamlDocuments.Parse("a: 1\nb: [1, 2\nc: d"));

        Assert.Equal(2, e.Line);
        Assert.Contains("malformed YAML", e.Message);
    }

    [Fact]
    public void Parse_Aliases_ExpandedLikeKubectl()
    {
        var docs = YamlDocuments.Parse("""
            kind: Pod
            metadata: { name: a, labels: &l { app: web, tier: front } }
            spec: { template: { labels: *l } }
            """);

        Assert.Equal("web", docs[0]["spec"]!["template"]!["labels"]!["app"]!.GetValue<string>());
        Assert.NotSame(docs[0]["metadata"]!["labels"], docs[0]["spec"]!["template"]!["labels"]);
    }

    [Fact]
    public void Parse_AliasBomb_RefusedWithBoundedMemory()
    {
        var bomb = YamlBombs.Laughs(9);
        var before = GC.GetAllocatedBytesForCurrentThread();

        var e = Assert.Throws<YamlDocumentException>(() => YamlDocuments.Parse(bomb));

        Assert.Contains("alias bomb", e.Message);
        Assert.True(e.Line > 1);
        // 9^10 strings if expanded; refused after at most MaxAliasNodes cloned nodes.
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, 64L * 1024 * 1024);
    }

    [Fact]
    public void Parse_AliasInsideItsOwnAnchor_RefusedAsCycle()
    {
        var e = Assert.Throws<YamlDocumentException>(() => YamlDocuments.Parse("a: &x [1, *x]"));

        Assert.Contains("cycle", e.Message);
    }

    [Fact]
    public void Parse_UndefinedAlias_Refused()
    {
        var e = Assert.Throws<YamlDocumentException>(() => YamlDocuments.Parse("a: *nowhere"));

        Assert.Contains("no anchor", e.Message);
    }

    [Fact]
    public void Parse_NestingDeeperThanLimit_Refused()
    {
        var deep = string.Concat(Enumerable.Repeat("[", 40)) + string.Concat(Enumerable.Repeat("]", 40));

        var e = Assert.Throws<YamlDocumentException>(() => YamlDocuments.Parse("a: " + deep));

        Assert.Contains("nesting deeper than 32", e.Message);
    }

    [Fact]
    public void Parse_MoreNodesThanLimit_Refused()
    {
        var yaml = "a: [" + string.Join(", ", Enumerable.Range(0, 200)) + "]";

        Assert.Single(YamlDocuments.Parse(yaml));
        var e = Assert.Throws<YamlDocumentException>(() => YamlDocuments.Parse(yaml, new YamlLimits { MaxNodes = 100 }));
        Assert.Contains("more than 100 nodes", e.Message);
    }

    [Fact]
    public void Parse_DuplicateKey_RefusedWithPosition()
    {
        var e = Assert.Throws<YamlDocumentException>(() => YamlDocuments.Parse("kind: Pod\nkind: Service"));

        Assert.Equal(2, e.Line);
        Assert.Contains("duplicate key 'kind'", e.Message);
    }

    [Fact]
    public void Parse_InfiniteNumber_RefusedNotCarriedIntoJson()
    {
        Assert.Equal("1e999", YamlDocuments.Parse("a: \"1e999\"")[0]["a"]!.GetValue<string>());
        var e = Assert.Throws<YamlDocumentException>(() => YamlDocuments.Parse("a: 1e999"));
        Assert.Contains("out of range", e.Message);
    }

    [Theory]
    [InlineData("- 1\n- 2")]
    [InlineData("just text")]
    public void Parse_DocumentNotMapping_Refused(string yaml)
    {
        var e = Assert.Throws<YamlDocumentException>(() => YamlDocuments.Parse(yaml));

        Assert.Contains("not a mapping", e.Message);
    }

    [Fact]
    public void Parse_ComplexKey_Refused()
    {
        var e = Assert.Throws<YamlDocumentException>(() => YamlDocuments.Parse("? [a]\n: b"));

        Assert.Contains("mapping key", e.Message);
    }
}
