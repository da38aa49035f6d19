using System.Runtime.InteropServices;

namespace Mesh.Native.Net;

/// <summary>
/// The process's file descriptor limit (RLIMIT_NOFILE). A proxy holds two descriptors per proxied connection, so it
/// raises its soft limit to the hard limit at start and sizes its connection budget from what it got.
/// </summary>
public static unsafe class FdLimit
{
    /// <summary>(soft, hard) now.</summary>
    public static (ulong Soft, ulong Hard) Get()
    {
        Interop.Libc.Rlimit limit;
        if (Interop.Libc.Getrlimit(Interop.Libc.RlimitNofile, &limit) != 0)
        {
            throw new BpfException("getrlimit(RLIMIT_NOFILE)", Marshal.GetLastPInvokeError());
        }
        return (limit.Current, limit.Max);
    }

    /// <summary>Raises the soft limit to the hard limit (no change when already there) and returns the soft limit in force.</summary>
    public static ulong RaiseToHard()
    {
        var (soft, hard) = Get();
        if (soft >= hard)
        {
            return soft;
        }
        var limit = new Interop.Libc.Rlimit { Current = hard, Max = hard };
        if (Interop.Libc.Setrlimit(Interop.Libc.RlimitNofile, &limit) != 0)
        {
            throw new BpfException("setrlimit(RLIMIT_NOFILE)", Marshal.GetLastPInvokeError());
        }
        return hard;
    }
}
