using System.Text;
using Mesh.Core.Hbone.Hpack;

namespace Mesh.Tests.Unit.Hbone.Hpack;

public sealed class HuffmanTests
{
    [Fact]
    public void Codes_DerivedFromLengths_MatchRfcAppendixBAndAreComplete()
    {
        Assert.Equal(257, Huffman.Codes.Length);
        Assert.Equal((0x1ff8u, (byte)13), (Huffman.Codes[0], Huffman.Lengths[0]));
        Assert.Equal((0x18u, (byte)6), (Huffman.Codes['/'], Huffman.Lengths['/']));
        Assert.Equal((0x3u, (byte)5), (Huffman.Codes['a'], Huffman.Lengths['a']));
        Assert.Equal((0x7fff0u, (byte)19), (Huffman.Codes['\\'], Huffman.Lengths['\\']));
        Assert.Equal((0x3ffffeeu, (byte)26), (Huffman.Codes[255], Huffman.Lengths[255]));
        Assert.Equal((0x3fffffffu, (byte)30), (Huffman.Codes[Huffman.Eos], Huffman.Lengths[Huffman.Eos]));
        var kraft = Huffman.Lengths.Sum(l => Math.Pow(2, -l));
        Assert.Equal(1.0, kraft, 12);
    }

    [Theory]
    [InlineData("f1e3 c2e5 f23a 6ba0 ab90 f4ff", "www.example.com")]
    [InlineData("640e ff", "307")]
    [InlineData("07", "0")]
    [InlineData("", "")]
    public void TryDecode_RfcStrings_GivesText(string hex, string text)
    {
        var output = new List<byte>();

        Assert.True(Huffman.TryDecode(Rfc7541Vectors.Hex(hex), output));

        Assert.Equal(text, Encoding.Latin1.GetString(output.ToArray()));
    }

    [Fact]
    public void Encode_EveryOctet_RoundTrips()
    {
        var all = Enumerable.Range(0, 256).Select(i => (byte)i).Concat(Encoding.ASCII.GetBytes("hbone CONNECT 10.0.0.1:80")).ToArray();
        var encoded = new byte[Huffman.EncodedLength(all)];

        var written = Huffman.Encode(all, encoded);
        var decoded = new List<byte>();

        Assert.Equal(encoded.Length, written);
        Assert.True(Huffman.TryDecode(encoded, decoded));
        Assert.Equal(all, decoded);
    }
}
