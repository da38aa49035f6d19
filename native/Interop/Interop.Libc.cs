using System.Runtime.InteropServices;
using System.Text;
using Tmds.Linux;

namespace Mesh.Native.Interop;

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
