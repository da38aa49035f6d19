using System.Buffers;

namespace Mesh.Core.Hbone.Hpack;

/// <summary>RFC 7541 section 5.1 prefixed integers.</summary>
internal static class HpackInteger
{
    /// <summary>Writes <paramref name="value"/> with an N-bit prefix; <paramref name="flags"/> fills the bits above the prefix.</summary>
    public static void Write(IBufferWriter<byte> output, int value, int prefixBits, byte flags)
    {
        var span = output.GetSpan(6);
        var max = (1 << prefixBits) - 1;
        if (value < max)
        {
            span[0] = (byte)(flags | value);
            output.Advance(1);
            return;
        }
        span[0] = (byte)(flags | max);
        var n = 1;
        var rest = value - max;
        while (rest >= 128)
        {
            span[n++] = (byte)((rest & 0x7f) | 0x80);
            rest >>= 7;
        }
        span[n++] = (byte)rest;
        output.Advance(n);
    }

    /// <summary>Reads an integer with an N-bit prefix at <paramref name="pos"/>; values above 2^31-1 or truncated input are errors.</summary>
    public static int Read(ReadOnlySpan<byte> input, ref int pos, int prefixBits)
    {
        if (pos >= input.Length)
        {
            throw new HpackDecodingException("truncated integer");
        }
        var max = (1 << prefixBits) - 1;
        long value = input[pos++] & max;
        if (value < max)
        {
            return (int)value;
        }
        var shift = 0;
        while (true)
        {
            if (pos >= input.Length)
            {
                throw new HpackDecodingException("truncated integer");
            }
            var b = input[pos++];
            value += (long)(b & 0x7f) << shift;
            if (value > int.MaxValue)
            {
                throw new HpackDecodingException("integer overflow");
            }
            if ((b & 0x80) == 0)
            {
                return (int)value;
            }
            shift += 7;
            if (shift > 28)
            {
                throw new HpackDecodingException("integer too long");
            }
        }
    }
}
