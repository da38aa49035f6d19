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

    /// <summary>Inputs found by the registry-yaml fuzz target on which YamlDotNet throws something other than a YamlException.</summary>
    public static TheoryData<string> ParserCrashes => new()
    {
        "...\r...m", // InvalidOperationException from the scanner
        "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!]", // ArgumentException: global tags must be valid URIs
        "6164617461706c616e652d6d6f64653a20616d6269656e74207d207d0a2d2d2d0a203a2064836d6f2c20ab6162656c733a8a7b436d7073682e6465762f706e56657257696f6e3a207c310a3a20636c69656e74207d207d0a737065633a6170", // hex; ArgumentException: unsupported event
    };

    internal static string Text(string input) =>
        input.Length > 64 && input.All(Uri.IsHexDigit) ? System.Text.Encoding.UTF8.GetString(Convert.FromHexString(input)) : input;

    [Theory]
    [MemberData(nameof(ParserCrashes))]
    public void Parse_InputYamlDotNetRejectsWithOtherExceptions_ThrowsYamlDocumentException(string input)
    {
        Assert.Throws<YamlDocumentException>(() => YamlDocuments.Parse(Text(input)));
    }

    [Fact]
    public void Parse_AliasBomb_ThrowsYamlDocumentExceptionInsteadOfExpanding()
    {
        // 9 levels of 10 aliases each: 10^9 nodes once expanded (the control plane once took 9.5 GB on this).
        var yaml = new System.Text.StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (var i = 1; i < 9; i++)
        {
            yaml.Append($"a{i}: &a{i} [{string.Join(", ", Enumerable.Repeat($"*a{i - 1}", 10))}]\n");
        }

        var e = Assert.Throws<YamlDocumentException>(() => YamlDocuments.Parse(yaml.ToString()));

        Assert.Contains("aliases", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_AliasUsedOnce_IsExpanded()
    {
        var docs = YamlDocuments.Parse("""
            defaults: &labels { app: web, tier: front }
            metadata: { labels: *labels }
            """);

        Assert.Equal("front", docs[0]["metadata"]!["labels"]!["tier"]!.GetValue<string>());
    }
}
