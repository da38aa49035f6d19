using System.Buffers;
using Mesh.Core.Hbone.Hpack;

namespace Mesh.Tests.Unit.Hbone.Hpack;

public sealed class HpackEncoderTests
{
    [Theory]
    [MemberData(nameof(Rfc7541Vectors.Chains), MemberType = typeof(Rfc7541Vectors))]
    public void Encode_RfcAppendixCChain_GivesTheRfcBytes(string chain)
    {
        var (blocks, lists, tables, tableSize, huffman) = Rfc7541Vectors.Chain(chain);
        var encoder = new HpackEncoder(tableSize, huffman);
        for (var i = 0; i < blocks.Length; i++)
        {
            var output = new ArrayBufferWriter<byte>();

            encoder.Encode(lists[i], output);

            Assert.Equal(Convert.ToHexString(Rfc7541Vectors.Hex(blocks[i])), Convert.ToHexString(output.WrittenSpan));
            Assert.Equal(tables[i].Sum(f => f.Size), encoder.TableSize);
        }
    }

    [Fact]
    public void Encode_ManyBlocksWithEviction_DecoderStaysInStep()
    {
        var encoder = new HpackEncoder(256);
        var decoder = new HpackDecoder(256);
        for (var i = 0; i < 500; i++)
        {
            HeaderField[] fields =
            [
                new(":method", "CONNECT"), new(":authority", $"10.0.{i % 7}.{i % 251}:{8000 + (i % 13)}"),
                new("x-id", new string((char)('a' + (i % 26)), i % 40)), new("x-bytes", "\u00ff\u0001\u0080"),
            ];
            var output = new ArrayBufferWriter<byte>();
            encoder.Encode(fields, output);
            var decoded = new List<HeaderField>();

            Assert.Equal(HpackStatus.Ok, decoder.Decode(output.WrittenSpan, decoded));

            Assert.Equal(fields, decoded);
            Assert.Equal(encoder.TableSize, decoder.TableSize);
        }
    }

    [Fact]
    public void SetMaxTableSize_ShrinkThenGrow_SignalsBothUpdates()
    {
        var encoder = new HpackEncoder();
        var decoder = new HpackDecoder();
        var first = new ArrayBufferWriter<byte>();
        encoder.Encode(Rfc7541Vectors.Request1, first);
        decoder.Decode(first.WrittenSpan, []);

        encoder.SetMaxTableSize(0);
        encoder.SetMaxTableSize(1024);
        var second = new ArrayBufferWriter<byte>();
        encoder.Encode(Rfc7541Vectors.Request1, second);

        Assert.Equal(0x20, second.WrittenSpan[0]);
        var decoded = new List<HeaderField>();
        Assert.Equal(HpackStatus.Ok, decoder.Decode(second.WrittenSpan, decoded));
        Assert.Equal(Rfc7541Vectors.Request1, decoded);
        Assert.Equal(1, decoder.TableCount);
        Assert.Equal(encoder.TableSize, decoder.TableSize);
    }
}
