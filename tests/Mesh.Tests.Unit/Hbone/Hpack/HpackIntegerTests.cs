using System.Buffers;
using Mesh.Core.Hbone.Hpack;

namespace Mesh.Tests.Unit.Hbone.Hpack;

public sealed class HpackIntegerTests
{
    [Theory]
    [InlineData(10, 5, "0a")]       // RFC 7541 C.1.1
    [InlineData(1337, 5, "1f9a0a")] // C.1.2
    [InlineData(42, 8, "2a")]       // C.1.3
    [InlineData(31, 5, "1f00")]
    [InlineData(int.MaxValue, 7, "7f80ffffff07")]
    public void WriteAndRead_RfcValues_RoundTrip(int value, int prefix, string hex)
    {
        var output = new ArrayBufferWriter<byte>();

        HpackInteger.Write(output, value, prefix, 0);
        var pos = 0;
        var read = HpackInteger.Read(output.WrittenSpan, ref pos, prefix);

        Assert.Equal(hex, Convert.ToHexString(output.WrittenSpan).ToLowerInvariant());
        Assert.Equal(value, read);
        Assert.Equal(output.WrittenCount, pos);
    }
}
