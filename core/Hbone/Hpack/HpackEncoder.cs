using System.Buffers;
using System.Text;

namespace Mesh.Core.Hbone.Hpack;

/// <summary>
/// RFC 7541 encoder for one direction of one HTTP/2 connection. Policy: an exact match in the static
/// or dynamic table is sent as an index; anything else as a literal with incremental indexing (name by
/// index when known, static table first); strings Huffman-coded unless that is longer.
/// </summary>
public sealed class HpackEncoder
{
    private readonly DynamicTable _table;
    private readonly bool _huffman;
    private int _pendingMinSize = -1;
    private int _pendingSize = -1;

    /// <param name="maxTableSize">The table size both sides start with (the peer's SETTINGS_HEADER_TABLE_SIZE, default 4096).</param>
    /// <param name="huffman">Huffman-code strings unless that is longer.</param>
    public HpackEncoder(int maxTableSize = 4096, bool huffman = true)
    {
        _table = new DynamicTable(maxTableSize);
        _huffman = huffman;
    }

    public int TableSize => _table.Size;

    public int TableCount => _table.Count;

    /// <summary>Dynamic table entry at HPACK index 62 + <paramref name="index"/> (0 = newest).</summary>
    public HeaderField TableEntry(int index) => _table[index];

    /// <summary>Changes the table size (the peer changed SETTINGS_HEADER_TABLE_SIZE); the update is signalled at the start of the next block.</summary>
    public void SetMaxTableSize(int size)
    {
        _pendingMinSize = _pendingMinSize < 0 ? size : Math.Min(_pendingMinSize, size);
        _pendingSize = size;
    }

    /// <summary>Encodes one header block.</summary>
    public void Encode(IReadOnlyList<HeaderField> headers, IBufferWriter<byte> output)
    {
        if (_pendingSize >= 0)
        {
            if (_pendingMinSize < _pendingSize)
            {
                HpackInteger.Write(output, _pendingMinSize, 5, 0x20);
                _table.SetMaxSize(_pendingMinSize);
            }
            HpackInteger.Write(output, _pendingSize, 5, 0x20);
            _table.SetMaxSize(_pendingSize);
            _pendingSize = -1;
            _pendingMinSize = -1;
        }
        for (var i = 0; i < headers.Count; i++)
        {
            EncodeField(headers[i], output);
        }
    }

    private void EncodeField(HeaderField field, IBufferWriter<byte> output)
    {
        var index = StaticTable.FindField(field);
        if (index == 0)
        {
            var d = _table.FindField(field);
            index = d < 0 ? 0 : StaticTable.Count + 1 + d;
        }
        if (index != 0)
        {
            HpackInteger.Write(output, index, 7, 0x80);
            return;
        }
        var nameIndex = StaticTable.FindName(field.Name);
        if (nameIndex == 0)
        {
            var d = _table.FindName(field.Name);
            nameIndex = d < 0 ? 0 : StaticTable.Count + 1 + d;
        }
        HpackInteger.Write(output, nameIndex, 6, 0x40);
        if (nameIndex == 0)
        {
            WriteString(field.Name, output);
        }
        WriteString(field.Value, output);
        _table.Add(field);
    }

    private void WriteString(string value, IBufferWriter<byte> output)
    {
        var count = Encoding.Latin1.GetByteCount(value);
        var rented = ArrayPool<byte>.Shared.Rent(count);
        try
        {
            var raw = rented.AsSpan(0, count);
            Encoding.Latin1.GetBytes(value, raw);
            var huffmanLength = _huffman ? Huffman.EncodedLength(raw) : int.MaxValue;
            if (huffmanLength <= count)
            {
                HpackInteger.Write(output, huffmanLength, 7, 0x80);
                var span = output.GetSpan(huffmanLength);
                Huffman.Encode(raw, span);
                output.Advance(huffmanLength);
            }
            else
            {
                HpackInteger.Write(output, count, 7, 0);
                raw.CopyTo(output.GetSpan(count));
                output.Advance(count);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
