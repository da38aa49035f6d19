namespace Mesh.Native;

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

    internal nint Pointer
    {
        get
        {
            _ = _owner.Handle;
            return _ptr;
        }
    }
}
