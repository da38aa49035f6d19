using Mesh.Core.Text;

namespace Mesh.Tests.Unit.Core.Text;

public sealed class UntrustedTextTests
{
    [Fact]
    public void Bound_ShortCleanText_Unchanged()
    {
        const string id = "spiffe://cluster.local/ns/a/sa/b";

        Assert.Same(id, UntrustedText.Bound(id));
    }

    [Fact]
    public void Bound_TenMegabyteString_CutTo256WithMarker()
    {
        var huge = new string('A', 10 * 1024 * 1024);

        var bounded = UntrustedText.Bound(huge);

        Assert.Equal(new string('A', 256) + "...[+10485504 chars]", bounded);
    }

    [Fact]
    public void Bound_ControlCharacters_Replaced()
    {
        Assert.Equal("a?forged: line??x", UntrustedText.Bound("a\nforged: line\r\u001bx"));
        Assert.Equal("a?b", UntrustedText.Bound("a\u2028b"));
    }

    [Fact]
    public void Bound_CutInsideSurrogatePair_KeepsThePairWhole()
    {
        var s = new string('a', 9) + "\U0001F600" + "tail";

        var bounded = UntrustedText.Bound(s, 10);

        Assert.StartsWith(new string('a', 9) + "...[+", bounded);
    }

    [Fact]
    public void Bound_Null_Empty()
    {
        Assert.Equal("", UntrustedText.Bound(null));
    }
}
