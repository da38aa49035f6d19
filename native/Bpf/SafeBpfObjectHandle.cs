using System.Runtime.InteropServices;

namespace Mesh.Native.Bpf;

/// <summary>Owns a libbpf <c>struct bpf_object *</c>.</summary>
internal sealed class SafeBpfObjectHandle : SafeHandle
{
    public SafeBpfObjectHandle() : base(0, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == 0;

    protected override bool ReleaseHandle()
    {
        Interop.Libbpf.ObjectClose(handle);
        return true;
    }
}
