namespace Mesh.Native.Bpf;

/// <summary>
/// A map of a loaded <see cref="BpfObject"/> with fixed-size key and value types that mirror the C
/// structs (see the layout test). Lookups return false when the key is absent.
/// </summary>
public sealed unsafe class BpfMap<TKey, TValue>
    where TKey : unmanaged
    where TValue : unmanaged
{
    private readonly BpfObject _owner;
    private readonly int _fd;

    internal BpfMap(BpfObject owner, int fd, string name)
    {
        _owner = owner;
        _fd = fd;
        Name = name;
    }

    public string Name { get; }

    public bool TryLookup(TKey key, out TValue value)
    {
        _ = _owner.Handle;
        TValue result = default;
        var err = Interop.Libbpf.MapLookupElem(_fd, &key, &result);
        value = result;
        if (err == -Errno.ENOENT)
        {
            return false;
        }
        if (err < 0)
        {
            throw new BpfException($"bpf_map_lookup_elem({Name})", err);
        }
        return true;
    }

    public void Update(TKey key, TValue value)
    {
        _ = _owner.Handle;
        var err = Interop.Libbpf.MapUpdateElem(_fd, &key, &value, Interop.Libbpf.BpfAny);
        if (err < 0)
        {
            throw new BpfException($"bpf_map_update_elem({Name})", err);
        }
    }

    /// <summary>Deletes the key; false when it was not there.</summary>
    public bool Delete(TKey key)
    {
        _ = _owner.Handle;
        var err = Interop.Libbpf.MapDeleteElem(_fd, &key);
        if (err == -Errno.ENOENT)
        {
            return false;
        }
        if (err < 0)
        {
            throw new BpfException($"bpf_map_delete_elem({Name})", err);
        }
        return true;
    }

    /// <summary>All keys at the time of the call (a map changing meanwhile may skip or repeat one).</summary>
    public List<TKey> Keys()
    {
        _ = _owner.Handle;
        var keys = new List<TKey>();
        TKey next;
        var err = Interop.Libbpf.MapGetNextKey(_fd, null, &next);
        while (err == 0)
        {
            keys.Add(next);
            var current = next;
            err = Interop.Libbpf.MapGetNextKey(_fd, &current, &next);
        }
        if (err != -Errno.ENOENT)
        {
            throw new BpfException($"bpf_map_get_next_key({Name})", err);
        }
        return keys;
    }
}
