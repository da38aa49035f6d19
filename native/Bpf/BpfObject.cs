using System.Runtime.InteropServices;
using Tmds.Linux;

namespace Mesh.Native.Bpf;

/// <summary>
/// A BPF object file opened and loaded through libbpf (bpf_object__open_file + bpf_object__load).
/// Disposing it closes the object: its programs and maps go away once no link holds them.
/// </summary>
public sealed unsafe class BpfObject : IDisposable
{
    private readonly SafeBpfObjectHandle _handle;

    private BpfObject(SafeBpfObjectHandle handle, string path)
    {
        _handle = handle;
        Path = path;
    }

    /// <summary>The file it was opened from.</summary>
    public string Path { get; }

    public bool IsLoaded { get; private set; }

    /// <summary>Opens (parses, does not load) a .bpf.o file.</summary>
    public static BpfObject Open(string path)
    {
        BpfLog.Install();
        if (!File.Exists(path))
        {
            throw new BpfException($"bpf_object__open_file({path})", Errno.ENOENT, "the BPF object file is missing; build it with `make -C bpf`");
        }
        var ptr = Interop.Libbpf.ObjectOpenFile(path, 0);
        if (ptr == 0)
        {
            throw new BpfException($"bpf_object__open_file({path})", Marshal.GetLastPInvokeError());
        }
        var handle = new SafeBpfObjectHandle();
        Marshal.InitHandle(handle, ptr);
        return new BpfObject(handle, path);
    }

    /// <summary>Opens and loads a .bpf.o file in one step.</summary>
    public static BpfObject Load(string path)
    {
        var obj = Open(path);
        try
        {
            obj.Load();
            return obj;
        }
        catch
        {
            obj.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Sets the object's load-time constants (its <c>const volatile</c> variables in .rodata) from
    /// <paramref name="value"/>, which must mirror the whole .rodata section. Call before <see cref="Load()"/>.
    /// </summary>
    public void SetReadOnlyData<T>(T value) where T : unmanaged
    {
        var map = FindSectionMap(".rodata");
        var err = Interop.Libbpf.MapSetInitialValue(map, &value, (nuint)sizeof(T));
        if (err < 0)
        {
            throw new BpfException($"bpf_map__set_initial_value({System.IO.Path.GetFileName(Path)}:.rodata, {sizeof(T)} bytes)", err,
                "the C# mirror of the .rodata settings does not match the BPF object");
        }
    }

    /// <summary>Loads every program into the kernel; a verifier rejection carries its log.</summary>
    public void Load()
    {
        BpfLog.BeginCapture();
        var err = Interop.Libbpf.ObjectLoad(Handle);
        var detail = BpfLog.EndCapture();
        if (err < 0)
        {
            throw new BpfException($"bpf_object__load({System.IO.Path.GetFileName(Path)})", err, detail);
        }
        IsLoaded = true;
    }

    /// <summary>
    /// Makes map <paramref name="name"/> use the map pinned at <paramref name="pinPath"/> (bpf_map__reuse_fd), so this
    /// object's programs share it with whoever pinned it. Call before <see cref="Load()"/>; false when nothing is pinned there.
    /// </summary>
    public bool ReusePinnedMap(string name, string pinPath)
    {
        if (!File.Exists(pinPath))
        {
            return false;
        }
        var fd = BpfFs.Open(pinPath);
        try
        {
            var err = Interop.Libbpf.MapReuseFd(FindMapPointer(name), fd);
            if (err < 0)
            {
                throw new BpfException($"bpf_map__reuse_fd({name}, {pinPath})", err);
            }
            return true;
        }
        finally
        {
            _ = LibC.close(fd); // reuse_fd keeps its own duplicate
        }
    }

    /// <summary>Pins map <paramref name="name"/> at <paramref name="pinPath"/> (after <see cref="Load()"/>).</summary>
    public void PinMap(string name, string pinPath)
    {
        var err = Interop.Libbpf.MapPin(FindMapPointer(name), pinPath);
        if (err < 0)
        {
            throw new BpfException($"bpf_map__pin({name}, {pinPath})", err);
        }
    }

    public BpfProgram FindProgram(string name)
    {
        var ptr = Interop.Libbpf.ObjectFindProgramByName(Handle, name);
        if (ptr == 0)
        {
            throw new BpfException($"bpf_object__find_program_by_name({System.IO.Path.GetFileName(Path)}, {name})", Errno.ENOENT);
        }
        return new BpfProgram(this, ptr, name);
    }

    public BpfMap<TKey, TValue> FindMap<TKey, TValue>(string name)
        where TKey : unmanaged
        where TValue : unmanaged =>
        new(this, Interop.Libbpf.MapFd(FindMapPointer(name)), name);

    private nint FindMapPointer(string name)
    {
        var ptr = Interop.Libbpf.ObjectFindMapByName(Handle, name);
        if (ptr == 0)
        {
            throw new BpfException($"bpf_object__find_map_by_name({System.IO.Path.GetFileName(Path)}, {name})", Errno.ENOENT);
        }
        return ptr;
    }

    internal nint Handle
    {
        get
        {
            ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
            return _handle.DangerousGetHandle();
        }
    }

    private nint FindSectionMap(string suffix)
    {
        for (var map = Interop.Libbpf.ObjectNextMap(Handle, 0); map != 0; map = Interop.Libbpf.ObjectNextMap(Handle, map))
        {
            var name = Marshal.PtrToStringUTF8((nint)Interop.Libbpf.MapName(map));
            if (name is not null && name.EndsWith(suffix, StringComparison.Ordinal))
            {
                return map;
            }
        }
        throw new BpfException($"find {suffix} in {System.IO.Path.GetFileName(Path)}", Errno.ENOENT, "the object has no load-time settings");
    }

    public void Dispose() => _handle.Dispose();
}
