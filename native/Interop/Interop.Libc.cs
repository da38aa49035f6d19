using System.Runtime.InteropServices;
using System.Text;
using Tmds.Linux;

namespace Mesh.Native;

internal static partial class Interop
{
    /// <summary>
    /// The libc calls Tmds.LibC (<see cref="LibC"/>) does not bind, or binds without capturing errno (poll), as
    /// LibraryImport; and the string-taking calls of <see cref="LibC"/> with our UTF-8 conversion. errno after any
    /// of them is <see cref="LibC.errno"/> (the value captured by the last SetLastError P/Invoke of this thread).
    /// </summary>
    internal static unsafe partial class Libc
    {
        /// <summary>open(2) of <paramref name="path"/>; the fd, or -1 with errno in <see cref="LibC.errno"/>.</summary>
        public static int Open(string path, int flags)
        {
            var length = Encoding.UTF8.GetByteCount(path) + 1;
            var bytes = length <= StackPath ? stackalloc byte[StackPath] : new byte[length];
            fixed (byte* p = Utf8Z(path, bytes))
            {
                return LibC.open(p, flags);
            }
        }

        /// <summary>mount(2) without data; 0, or -1 with errno in <see cref="LibC.errno"/>.</summary>
        public static int Mount(string source, string target, string fsType, ulong_t flags)
        {
            fixed (byte* s = Utf8Z(source, new byte[Encoding.UTF8.GetByteCount(source) + 1]))
            fixed (byte* t = Utf8Z(target, new byte[Encoding.UTF8.GetByteCount(target) + 1]))
            fixed (byte* f = Utf8Z(fsType, new byte[Encoding.UTF8.GetByteCount(fsType) + 1]))
            {
                return LibC.mount(s, t, f, flags, null);
            }
        }

        private const int StackPath = 256;

        /// <summary><paramref name="value"/> as NUL-terminated UTF-8 at the start of <paramref name="buffer"/> (long enough).</summary>
        private static Span<byte> Utf8Z(string value, Span<byte> buffer)
        {
            var written = Encoding.UTF8.GetBytes(value, buffer);
            buffer[written] = 0;
            return buffer;
        }

        /// <summary>Tmds.LibC's poll is declared without SetLastError, so its EINTR could not be told apart.</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "poll", SetLastError = true)]
        public static partial int Poll(pollfd* fds, nuint count, int timeoutMs);

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
