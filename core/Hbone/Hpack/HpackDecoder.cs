using System.Text;

namespace Mesh.Core.Hbone.Hpack;

/// <summary>
/// RFC 7541 decoder for one direction of one HTTP/2 connection: static and dynamic tables, dynamic
/// table size updates, prefixed integers, literal and Huffman strings.
/// </summary>
public sealed class HpackDecoder
{
    private readonly DynamicTable _table;
    private readonly List<byte> _huffmanScratch = [];
    private readonly int _maxHeaderListSize;

    /// <param name="maxTableSize">The SETTINGS_HEADER_TABLE_SIZE this endpoint advertised (the limit for size updates).</param>
    /// <param name="maxHeaderListSize">Upper bound on the decoded header list (sum of field sizes).</param>
    public HpackDecoder(int maxTableSize = 4096, int maxHeaderListSize = 64 * 1024)
    {
        MaxTableSize = maxTableSize;
        _maxHeaderListSize = maxHeaderListSize;
        _table = new DynamicTable(maxTableSize);
    }

    /// <summary>The largest table size the encoder may choose (our advertised setting).</summary>
    public int MaxTableSize { get; set; }

    public int TableSize => _table.Size;

    public int TableCount => _table.Count;

    /// <summary>Dynamic table entry at HPACK index 62 + <paramref name="index"/> (0 = newest).</summary>
    public HeaderField TableEntry(int index) => _table[index];

    /// <summary>Decodes one complete header block (HEADERS + CONTINUATION payloads joined) and appends its fields.</summary>
    public HpackStatus Decode(ReadOnlySpan<byte> block, List<HeaderField> headers)
    {
        try
        {
            var pos = 0;
            var listSize = 0;
            var fieldsSeen = false;
            while (pos < block.Length)
            {
                var b = block[pos];
                HeaderField field;
                if ((b & 0x80) != 0)
                {
                    field = Lookup(HpackInteger.Read(block, ref pos, 7));
                }
                else if ((b & 0xc0) == 0x40)
                {
                    field = ReadLiteral(block, ref pos, 6);
                    _table.Add(field);
                }
                else if ((b & 0xe0) == 0x20)
                {
                    if (fieldsSeen)
                    {
                        throw new HpackDecodingException("dynamic table size update after a header field");
                    }
                    var size = HpackInteger.Read(block, ref pos, 5);
                    if (size > MaxTableSize)
                    {
                        throw new HpackDecodingException($"table size update {size} above the limit {MaxTableSize}");
                    }
                    _table.SetMaxSize(size);
                    continue;
                }
                else
                {
                    // 0000xxxx without indexing, 0001xxxx never indexed: both 4-bit prefix, not added.
                    field = ReadLiteral(block, ref pos, 4);
                }
                fieldsSeen = true;
                listSize += field.Size;
                if (listSize > _maxHeaderListSize)
                {
                    return HpackStatus.HeaderListTooLarge;
                }
                headers.Add(field);
            }
            return HpackStatus.Ok;
        }
        catch (HpackDecodingException)
        {
            return HpackStatus.CompressionError;
        }
    }

    private HeaderField Lookup(int index)
    {
        if (index == 0)
        {
            throw new HpackDecodingException("index 0");
        }
        if (index <= StaticTable.Count)
        {
            return StaticTable.Get(index);
        }
        var dynamicIndex = index - StaticTable.Count - 1;
        if (dynamicIndex >= _table.Count)
        {
            throw new HpackDecodingException($"index {index} beyond the tables");
        }
        return _table[dynamicIndex];
    }

    private HeaderField ReadLiteral(ReadOnlySpan<byte> block, ref int pos, int prefixBits)
    {
        var nameIndex = HpackInteger.Read(block, ref pos, prefixBits);
        var name = nameIndex == 0 ? ReadString(block, ref pos) : Lookup(nameIndex).Name;
        var value = ReadString(block, ref pos);
        return new HeaderField(name, value);
    }

    private string ReadString(ReadOnlySpan<byte> block, ref int pos)
    {
        if (pos >= block.Length)
        {
            throw new HpackDecodingException("truncated string");
        }
        var huffman = (block[pos] & 0x80) != 0;
        var length = HpackInteger.Read(block, ref pos, 7);
        if (length > block.Length - pos)
        {
            throw new HpackDecodingException("string longer than the block");
        }
        var raw = block.Slice(pos, length);
        pos += length;
        if (!huffman)
        {
            return Encoding.Latin1.GetString(raw);
        }
        _huffmanScratch.Clear();
        if (!Huffman.TryDecode(raw, _huffmanScratch))
        {
            throw new HpackDecodingException("invalid Huffman string");
        }
        return Encoding.Latin1.GetString(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_huffmanScratch));
    }
}
