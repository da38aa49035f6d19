using System.Runtime.InteropServices;

namespace Mesh.Native;

internal static partial class Interop
{
    /// <summary>Raw declarations of the libc functions the project uses.</summary>
    internal static unsafe partial class Libc
    {
        public const int ORdOnly = 0;
        public const int OCloExec = 0x80000;
        public const int ODirectory = 0x10000;
        public const int CloneNewNet = 0x40000000;

        [LibraryImport(Libraries.Libc, EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        public static partial int Open(string path, int flags);

        [LibraryImport(Libraries.Libc, EntryPoint = "close")]
        public static partial int Close(int fd);

        [LibraryImport(Libraries.Libc, EntryPoint = "send", SetLastError = true)]
        public static partial nint Send(int fd, byte* buffer, nuint length, int flags);

        [LibraryImport(Libraries.Libc, EntryPoint = "recv", SetLastError = true)]
        public static partial nint Recv(int fd, byte* buffer, nuint length, int flags);

        public const int RlimitNofile = 7;

        [StructLayout(LayoutKind.Sequential)]
        public struct Rlimit
        {
            public ulong Current;
            public ulong Max;
        }

        [LibraryImport(Libraries.Libc, EntryPoint = "getrlimit", SetLastError = true)]
        public static partial int Getrlimit(int resource, Rlimit* limit);

        [LibraryImport(Libraries.Libc, EntryPoint = "setrlimit", SetLastError = true)]
        public static partial int Setrlimit(int resource, Rlimit* limit);

        [LibraryImport(Libraries.Libc, EntryPoint = "malloc_trim")]
        public static partial int MallocTrim(nuint pad);

        [LibraryImport(Libraries.Libc, EntryPoint = "vsnprintf")]
        public static partial int Vsnprintf(byte* buffer, nuint size, byte* format, nint args);

        [LibraryImport(Libraries.Libc, EntryPoint = "mount", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        public static partial int Mount(string source, string target, string fsType, nuint flags, nint data);

        [LibraryImport(Libraries.Libc, EntryPoint = "sendmsg", SetLastError = true)]
        public static partial nint SendMsg(int fd, void* msg, int flags);

        [LibraryImport(Libraries.Libc, EntryPoint = "recvmsg", SetLastError = true)]
        public static partial nint RecvMsg(int fd, void* msg, int flags);

        [LibraryImport(Libraries.Libc, EntryPoint = "poll", SetLastError = true)]
        public static partial int Poll(void* fds, nuint count, int timeoutMs);
    }

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
}
