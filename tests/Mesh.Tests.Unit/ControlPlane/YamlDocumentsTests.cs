using System.Text.Json;
using Mesh.ControlPlane.Registry;

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
    public void Parse_Malformed_Throws()
    {
        Assert.ThrowsAny<Exception>(() => YamlDocuments.Parse("a: [1, 2\nb: c"));
    }
}
