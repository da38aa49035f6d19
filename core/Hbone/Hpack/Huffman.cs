namespace Mesh.Core.Hbone.Hpack;

/// <summary>
/// RFC 7541 Appendix B Huffman code. The code is canonical (codes of one length are consecutive in
/// symbol order, lengths ascending), so only the bit length of each symbol is listed and the codes are
/// derived; a unit test checks a sample against the RFC and the Kraft sum.
/// </summary>
internal static class Huffman
{
    public const int Eos = 256;

    /// <summary>Bit length of the code of symbols 0..255 and EOS (256).</summary>
    internal static readonly byte[] Lengths =
    [
        13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28,
        28, 28, 28, 28, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 28,
        6, 10, 10, 12, 13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6,
        5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 7, 8, 15, 6, 12, 10,
        13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,
        7, 7, 7, 7, 7, 7, 7, 7, 8, 7, 8, 13, 19, 13, 14, 6,
        15, 5, 6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6, 6, 5,
        6, 7, 6, 5, 5, 6, 7, 7, 7, 7, 7, 15, 11, 14, 13, 28,
        20, 22, 20, 20, 22, 22, 22, 23, 22, 23, 23, 23, 23, 23, 24, 23,
        24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22, 23, 23, 24,
        22, 21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23,
        21, 21, 22, 21, 23, 22, 23, 23, 20, 22, 22, 22, 23, 22, 22, 23,
        26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25,
        19, 21, 26, 27, 27, 26, 27, 24, 21, 21, 26, 26, 28, 27, 27, 27,
        20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25, 25, 24, 24, 26, 23,
        26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26,
        30,
    ];

    /// <summary>Code of each symbol, right-aligned.</summary>
    internal static readonly uint[] Codes = BuildCodes();

    // Binary decoding tree: node n has children Tree[2n] (bit 0) and Tree[2n+1] (bit 1);
    // a positive child is a node number, a negative one is -(symbol + 1).
    private static readonly short[] Tree = BuildTree();

    /// <summary>Octets needed to Huffman-encode <paramref name="source"/>.</summary>
    public static int EncodedLength(ReadOnlySpan<byte> source)
    {
        long bits = 0;
        foreach (var b in source)
        {
            bits += Lengths[b];
        }
        return (int)((bits + 7) / 8);
    }

    /// <summary>Encodes into <paramref name="destination"/> (exactly <see cref="EncodedLength"/> octets), padding with EOS ones.</summary>
    public static int Encode(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        ulong acc = 0;
        var bits = 0;
        var o = 0;
        foreach (var b in source)
        {
            acc = (acc << Lengths[b]) | Codes[b];
            bits += Lengths[b];
            while (bits >= 8)
            {
                bits -= 8;
                destination[o++] = (byte)(acc >> bits);
            }
            acc &= (1UL << bits) - 1;
        }
        if (bits > 0)
        {
            var pad = 8 - bits;
            destination[o++] = (byte)((acc << pad) | ((1UL << pad) - 1));
        }
        return o;
    }

    /// <summary>
    /// Decodes <paramref name="source"/>; false on the EOS symbol, padding longer than 7 bits or padding
    /// that is not the most significant bits of EOS (all ones) (RFC 7541 section 5.2).
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<byte> source, List<byte> destination)
    {
        var node = 0;
        var pendingBits = 0;
        var pendingOnes = true;
        foreach (var b in source)
        {
            for (var shift = 7; shift >= 0; shift--)
            {
                var bit = (b >> shift) & 1;
                var next = Tree[(node * 2) + bit];
                if (next < 0)
                {
                    var symbol = -next - 1;
                    if (symbol == Eos)
                    {
                        return false;
                    }
                    destination.Add((byte)symbol);
                    node = 0;
                    pendingBits = 0;
                    pendingOnes = true;
                }
                else if (next == 0)
                {
                    return false; // unreachable for a complete code; defensive
                }
                else
                {
                    node = next;
                    pendingBits++;
                    pendingOnes &= bit == 1;
                }
            }
        }
        return pendingBits <= 7 && pendingOnes;
    }

    private static uint[] BuildCodes()
    {
        var symbols = Enumerable.Range(0, Lengths.Length).OrderBy(s => Lengths[s]).ThenBy(s => s).ToArray();
        var codes = new uint[Lengths.Length];
        uint code = 0;
        int previous = Lengths[symbols[0]];
        foreach (var s in symbols)
        {
            code <<= Lengths[s] - previous;
            previous = Lengths[s];
            codes[s] = code++;
        }
        return codes;
    }

    private static short[] BuildTree()
    {
        var tree = new short[2 * 2 * Lengths.Length];
        var nodes = 1;
        for (var s = 0; s < Lengths.Length; s++)
        {
            var node = 0;
            for (var i = Lengths[s] - 1; i >= 0; i--)
            {
                var bit = (int)((Codes[s] >> i) & 1);
                var slot = (node * 2) + bit;
                if (i == 0)
                {
                    tree[slot] = (short)(-(s + 1));
                }
                else
                {
                    if (tree[slot] == 0)
                    {
                        tree[slot] = (short)nodes++;
                    }
                    node = tree[slot];
                }
            }
        }
        return tree;
    }
}
