namespace Mesh.Native.Bpf;

/// <summary>A program inside a loaded <see cref="BpfObject"/>; the object owns it.</summary>
public sealed class BpfProgram
{
    private readonly BpfObject _owner;
    private readonly nint _ptr;

    internal BpfProgram(BpfObject owner, nint ptr, string name)
    {
        _owner = owner;
        _ptr = ptr;
        Name = name;
    }

    public string Name { get; }

    /// <summary>The program's file descriptor (valid while the object is open and loaded).</summary>
    public int Fd
    {
        get
        {
            _ = _owner.Handle; // throws once the object is disposed
            var fd = Interop.Libbpf.ProgramFd(_ptr);
            if (fd < 0)
            {
                throw new BpfException($"bpf_program__fd({Name})", fd, "load the object before attaching its programs");
            }
            return fd;
        }
    }

    /// <summary>The attach type libbpf derived from the program's section name (cgroup/connect4 -> BPF_CGROUP_INET4_CONNECT).</summary>
    public uint ExpectedAttachType => Interop.Libbpf.ProgramExpectedAttachType(Pointer);

    /// <summary>Pins the program at <paramref name="path"/>, replacing what was pinned there.</summary>
    public void Pin(string path)
    {
        BpfFs.Unpin(path);
        var err = Interop.Libbpf.ProgramPin(Pointer, path);
        if (err < 0)
        {
            throw new BpfException($"bpf_program__pin({Name}, {path})", err);
        }
    }

    internal nint Pointer
    {
        get
        {
            _ = _owner.Handle;
            return _ptr;
        }
    }
}
