namespace Mesh.Native;

/// <summary>errno numbers (Linux, x86-64 and arm64) and their names for error messages.</summary>
public static class Errno
{
    public const int EPERM = 1;
    public const int ENOENT = 2;
    public const int ESRCH = 3;
    public const int EEXIST = 17;
    public const int ENODEV = 19;
    public const int EINVAL = 22;
    public const int EOPNOTSUPP = 95;

    private static readonly Dictionary<int, string> s_names = new()
    {
        [1] = "EPERM", [2] = "ENOENT", [3] = "ESRCH", [4] = "EINTR", [5] = "EIO", [6] = "ENXIO",
        [7] = "E2BIG", [8] = "ENOEXEC", [9] = "EBADF", [11] = "EAGAIN", [12] = "ENOMEM",
        [13] = "EACCES", [14] = "EFAULT", [16] = "EBUSY", [17] = "EEXIST", [19] = "ENODEV",
        [20] = "ENOTDIR", [21] = "EISDIR", [22] = "EINVAL", [24] = "EMFILE", [28] = "ENOSPC",
        [34] = "ERANGE", [38] = "ENOSYS", [71] = "EPROTO", [75] = "EOVERFLOW", [92] = "ENOPROTOOPT",
        [93] = "EPROTONOSUPPORT", [95] = "EOPNOTSUPP", [97] = "EAFNOSUPPORT", [98] = "EADDRINUSE",
        [99] = "EADDRNOTAVAIL", [101] = "ENETUNREACH", [111] = "ECONNREFUSED", [524] = "ENOTSUPP",
        [4007] = "LIBBPF_ERRNO__PROG2BIG", [4008] = "LIBBPF_ERRNO__KVER", [4001] = "LIBBPF_ERRNO__FORMAT",
        [4003] = "LIBBPF_ERRNO__ENDIAN", [4004] = "LIBBPF_ERRNO__INTERNAL", [4005] = "LIBBPF_ERRNO__RELOC",
        [4006] = "LIBBPF_ERRNO__LOAD", [4009] = "LIBBPF_ERRNO__VERIFY", [4010] = "LIBBPF_ERRNO__PROGTYPE",
    };

    /// <summary>"EPERM" for 1; "errno 4242" for numbers without a name.</summary>
    public static string Name(int errno)
    {
        errno = Math.Abs(errno);
        return s_names.TryGetValue(errno, out var name) ? name : $"errno {errno}";
    }
}
