using Mesh.Core.Hbone.Hpack;

namespace Mesh.Tests.Unit.Hbone.Hpack;

public sealed class HpackDecoderTests
{
    [Theory]
    [InlineData("400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572", "custom-key", "custom-header", 1)]
    [InlineData("040c 2f73 616d 706c 652f 7061 7468", ":path", "/sample/path", 0)]
    [InlineData("1008 7061 7373 776f 7264 0673 6563 7265 74", "password", "secret", 0)]
    [InlineData("82", ":method", "GET", 0)]
    public void Decode_RfcC2SingleRepresentations_GivesFieldAndTable(string hex, string name, string value, int tableCount)
    {
        var decoder = new HpackDecoder();
        var headers = new List<HeaderField>();

        Assert.Equal(HpackStatus.Ok, decoder.Decode(Rfc7541Vectors.Hex(hex), headers));

        Assert.Equal([new HeaderField(name, value)], headers);
        Assert.Equal(tableCount, decoder.TableCount);
        Assert.Equal(tableCount == 0 ? 0 : 55, decoder.TableSize);
    }

    [Theory]
    [MemberData(nameof(Rfc7541Vectors.Chains), MemberType = typeof(Rfc7541Vectors))]
    public void Decode_RfcAppendixCChain_GivesListsAndTables(string chain)
    {
        var (blocks, lists, tables, tableSize, _) = Rfc7541Vectors.Chain(chain);
        var decoder = new HpackDecoder(tableSize);
        for (var i = 0; i < blocks.Length; i++)
        {
            var headers = new List<HeaderField>();

            Assert.Equal(HpackStatus.Ok, decoder.Decode(Rfc7541Vectors.Hex(blocks[i]), headers));

            Assert.Equal(lists[i], headers);
            var table = Enumerable.Range(0, decoder.TableCount).Select(decoder.TableEntry).ToArray();
            Assert.Equal(tables[i], table);
            Assert.Equal(tables[i].Sum(f => f.Size), decoder.TableSize);
        }
    }

    [Theory]
    [InlineData("80")]          // index 0
    [InlineData("be")]          // index 62 with an empty dynamic table
    [InlineData("ff80 01")]     // index far beyond the tables
    [InlineData("3fe2 1f")]     // table size update to 4097 > SETTINGS_HEADER_TABLE_SIZE 4096
    [InlineData("400a 6375")]   // string shorter than its length
    [InlineData("41")]          // literal with no value
    [InlineData("1f")]          // truncated integer
    [InlineData("7fff ffff ff0f")] // integer beyond 2^31
    [InlineData("0081 00")]     // Huffman string padded with zeros
    [InlineData("0082 07ff")]   // Huffman padding longer than 7 bits
    [InlineData("0084 ffff ffff")] // Huffman EOS inside a string
    [InlineData("82 20")]       // table size update after a field
    public void Decode_MalformedBlock_IsCompressionError(string hex)
    {
        var decoder = new HpackDecoder();

        Assert.Equal(HpackStatus.CompressionError, decoder.Decode(Rfc7541Vectors.Hex(hex), []));
    }

    [Fact]
    public void Decode_TableSizeUpdateToZero_EmptiesTheTable()
    {
        var decoder = new HpackDecoder();
        decoder.Decode(Rfc7541Vectors.Hex(Rfc7541Vectors.C3[0]), []);
        Assert.Equal(1, decoder.TableCount);
        var headers = new List<HeaderField>();

        Assert.Equal(HpackStatus.Ok, decoder.Decode(Rfc7541Vectors.Hex("20 82"), headers));

        Assert.Equal(0, decoder.TableCount);
        Assert.Equal([new HeaderField(":method", "GET")], headers);
        Assert.Equal(HpackStatus.CompressionError, decoder.Decode(Rfc7541Vectors.Hex("be"), []));
    }

    [Fact]
    public void Decode_HeaderListAboveLimit_IsReported()
    {
        var decoder = new HpackDecoder(maxHeaderListSize: 100);
        var encoder = new HpackEncoder();
        var block = new System.Buffers.ArrayBufferWriter<byte>();
        encoder.Encode([new HeaderField("x-big", new string('a', 200))], block);

        Assert.Equal(HpackStatus.HeaderListTooLarge, decoder.Decode(block.WrittenSpan, []));
    }
}
