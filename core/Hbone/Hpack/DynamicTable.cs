namespace Mesh.Core.Hbone.Hpack;

/// <summary>
/// RFC 7541 section 2.3.2 / 4: a FIFO of header fields bounded by the sum of their sizes.
/// Index 0 here is the newest entry (HPACK index 62).
/// </summary>
internal sealed class DynamicTable(int maxSize)
{
    private HeaderField[] _ring = new HeaderField[Math.Max(4, maxSize / 32 + 1)];
    private int _head;   // slot of the newest entry
    private int _count;

    public int Count => _count;

    /// <summary>Sum of entry sizes.</summary>
    public int Size { get; private set; }

    public int MaxSize { get; private set; } = maxSize;

    /// <summary>The entry at 0-based <paramref name="index"/>, 0 = newest.</summary>
    public HeaderField this[int index] => _ring[(_head - index + _ring.Length) % _ring.Length];

    public void SetMaxSize(int maxSize)
    {
        MaxSize = maxSize;
        Evict(0);
    }

    /// <summary>Adds an entry, evicting the oldest ones; an entry larger than the table empties it (not an error).</summary>
    public void Add(HeaderField field)
    {
        var size = field.Size;
        if (size > MaxSize)
        {
            Clear();
            return;
        }
        Evict(size);
        if (_count == _ring.Length)
        {
            Grow();
        }
        _head = (_head + 1) % _ring.Length;
        _ring[_head] = field;
        _count++;
        Size += size;
    }

    /// <summary>0-based index of an exact match, or -1.</summary>
    public int FindField(HeaderField field)
    {
        for (var i = 0; i < _count; i++)
        {
            if (this[i] == field)
            {
                return i;
            }
        }
        return -1;
    }

    /// <summary>0-based index of an entry with this name, or -1.</summary>
    public int FindName(string name)
    {
        for (var i = 0; i < _count; i++)
        {
            if (string.Equals(this[i].Name, name, StringComparison.Ordinal))
            {
                return i;
            }
        }
        return -1;
    }

    private void Evict(int room)
    {
        while (_count > 0 && Size + room > MaxSize)
        {
            var oldest = (_head - _count + 1 + _ring.Length) % _ring.Length;
            Size -= _ring[oldest].Size;
            _ring[oldest] = default;
            _count--;
        }
    }

    private void Clear()
    {
        Array.Clear(_ring);
        _count = 0;
        Size = 0;
    }

    private void Grow()
    {
        var bigger = new HeaderField[_ring.Length * 2];
        for (var i = 0; i < _count; i++)
        {
            bigger[_count - 1 - i] = this[i];
        }
        _ring = bigger;
        _head = _count - 1;
    }
}
