using System.Buffers;
using Mesh.Core.Hbone.Hpack;

namespace Mesh.Fuzz.Targets;

/// <summary>
/// The HPACK decoder on a sequence of header blocks of one connection (the dynamic table carries over). Input:
/// blocks, each a 2-octet big-endian length and that many octets (the last one may be short). Besides "no
/// exception", two properties: the table never exceeds its limit, and what was decoded, encoded again by our
/// encoder, decodes to the same fields.
/// </summary>
internal sealed class HpackTarget : IFuzzTarget
{
    private const int TableSize = 4096;

    public string Name => "hpack";

    public void Run(byte[] input)
    {
        var decoder = new HpackDecoder(TableSize, maxHeaderListSize: 16 * 1024);
        var encoder = new HpackEncoder();
        var check = new HpackDecoder(TableSize, maxHeaderListSize: int.MaxValue);
        var pos = 0;
        while (pos < input.Length)
        {
            var length = pos + 2 <= input.Length ? (input[pos] << 8) | input[pos + 1] : 0;
            pos = Math.Min(pos + 2, input.Length);
            var block = input.AsSpan(pos, Math.Min(length, input.Length - pos));
            pos += block.Length;
            var fields = new List<HeaderField>();
            var status = decoder.Decode(block, fields);
            if (decoder.TableSize > TableSize)
            {
                throw new FuzzFinding($"dynamic table holds {decoder.TableSize} octets, above its limit {TableSize}");
            }
            if (status == HpackStatus.CompressionError)
            {
                return; // a connection error: the connection (and its table) ends here
            }
            if (status != HpackStatus.Ok)
            {
                continue;
            }
            RoundTrip(encoder, check, fields);
        }
    }

    private static void RoundTrip(HpackEncoder encoder, HpackDecoder check, List<HeaderField> fields)
    {
        var encoded = new ArrayBufferWriter<byte>();
        encoder.Encode(fields, encoded);
        var again = new List<HeaderField>();
        var status = check.Decode(encoded.WrittenSpan, again);
        if (status != HpackStatus.Ok || !again.SequenceEqual(fields))
        {
            throw new FuzzFinding($"re-encoded header block decodes to {status} with {again.Count} fields, expected {fields.Count}");
        }
    }
}
