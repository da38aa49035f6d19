using System.Buffers;
using System.Text;
using System.Text.Json;
using Mesh.ControlPlane.Kubernetes;

namespace Mesh.Tests.Unit.Kubernetes;

public sealed class KubeWatchStreamTests
{
    private static KubeWatchEvent? Parse(string line) => KubeWatchStream.Parse(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(line)));

    [Fact]
    public void Parse_EventLine_TypeAndDetachedObject()
    {
        var ev = Parse("""{"type":"MODIFIED","object":{"kind":"Pod","metadata":{"name":"p","resourceVersion":"7"}}}""");

        Assert.NotNull(ev);
        Assert.Equal(KubeWatchEvent.Modified, ev.Type);
        Assert.Equal("7", KubeObjectCache.ResourceVersionOf(ev.Object));
        Assert.Null(ev.Object.Parent);
    }

    [Fact]
    public void Parse_BlankLine_IsSkipped()
    {
        Assert.Null(Parse(" \r"));
    }

    [Theory]
    [InlineData("""{"type":"ADDED"}""")]
    [InlineData("""{"object":{}}""")]
    [InlineData("""[1,2]""")]
    [InlineData("""{"type":"ADDED","object":{"kind":""")]
    public void Parse_Malformed_Throws(string line)
    {
        Assert.ThrowsAny<JsonException>(() => Parse(line));
    }
}
