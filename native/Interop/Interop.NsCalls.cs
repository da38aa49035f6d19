using System.Runtime.InteropServices;

namespace Mesh.Native.Interop;

/// <summary>
/// Function pointers for the calls made while a thread is inside another network namespace.
/// They are called from fully optimized methods without managed wrappers, so nothing there
/// can make the runtime start a thread (which would inherit the pod's namespace).
/// </summary>
internal static unsafe class NsCalls
{
    public static readonly delegate* unmanaged<int, int, int> Setns;
    public static readonly delegate* unmanaged<int, int, int, int> Socket;
    public static readonly delegate* unmanaged<int, int, int, void*, uint, int> Setsockopt;
    public static readonly delegate* unmanaged<int, int> Close;
    public static readonly delegate* unmanaged<byte*, int, int, int> Open;
    public static readonly delegate* unmanaged<byte*, uint> IfNameToIndex;
    public static readonly delegate* unmanaged<int*> ErrnoLocation;
    public static readonly delegate* unmanaged<int, int, uint, void*, int> BpfLinkCreate;
    public static readonly delegate* unmanaged<Libbpf.BpfTcHook*, int> BpfTcHookCreate;
    public static readonly delegate* unmanaged<Libbpf.BpfTcHook*, Libbpf.BpfTcOpts*, int> BpfTcAttach;
    public static readonly delegate* unmanaged<Libbpf.BpfTcHook*, Libbpf.BpfTcOpts*, int> BpfTcDetach;

#pragma warning disable CA1810 // explicit static constructor: the exports are resolved once, up front
    static NsCalls()
    {
        var libc = NativeLibrary.Load("libc.so.6");
        var libbpf = NativeLibrary.Load(Libraries.Libbpf);
        Setns = (delegate* unmanaged<int, int, int>)NativeLibrary.GetExport(libc, "setns");
        Socket = (delegate* unmanaged<int, int, int, int>)NativeLibrary.GetExport(libc, "socket");
        Setsockopt = (delegate* unmanaged<int, int, int, void*, uint, int>)NativeLibrary.GetExport(libc, "setsockopt");
        Close = (delegate* unmanaged<int, int>)NativeLibrary.GetExport(libc, "close");
        Open = (delegate* unmanaged<byte*, int, int, int>)NativeLibrary.GetExport(libc, "open");
        IfNameToIndex = (delegate* unmanaged<byte*, uint>)NativeLibrary.GetExport(libc, "if_nametoindex");
        ErrnoLocation = (delegate* unmanaged<int*>)NativeLibrary.GetExport(libc, "__errno_location");
        BpfLinkCreate = (delegate* unmanaged<int, int, uint, void*, int>)NativeLibrary.GetExport(libbpf, "bpf_link_create");
        BpfTcHookCreate = (delegate* unmanaged<Libbpf.BpfTcHook*, int>)NativeLibrary.GetExport(libbpf, "bpf_tc_hook_create");
        BpfTcAttach = (delegate* unmanaged<Libbpf.BpfTcHook*, Libbpf.BpfTcOpts*, int>)NativeLibrary.GetExport(libbpf, "bpf_tc_attach");
        BpfTcDetach = (delegate* unmanaged<Libbpf.BpfTcHook*, Libbpf.BpfTcOpts*, int>)NativeLibrary.GetExport(libbpf, "bpf_tc_detach");
    }
#pragma warning restore CA1810
}
