namespace Mesh.Native;

/// <summary>
/// The one exception of the native layer: which operation failed, the errno name, and (for a
/// program load) the libbpf/verifier lines that explain it.
/// </summary>
public sealed class BpfException : Exception
{
    public BpfException(string operation, int errno, string? detail = null)
        : base(Format(operation, errno, detail))
    {
        Operation = operation;
        Errno = Math.Abs(errno);
        Detail = detail;
    }

    public BpfException()
    {
        Operation = string.Empty;
    }

    public BpfException(string message) : base(message)
    {
        Operation = string.Empty;
    }

    public BpfException(string message, Exception innerException) : base(message, innerException)
    {
        Operation = string.Empty;
    }

    /// <summary>What was being done, e.g. "bpf_object__load(capture_tc.bpf.o)".</summary>
    public string Operation { get; }

    /// <summary>The positive errno value (0 when none).</summary>
    public int Errno { get; }

    /// <summary>The name of <see cref="Errno"/>, e.g. "EPERM".</summary>
    public string ErrnoName => Mesh.Native.Errno.Name(Errno);

    /// <summary>libbpf's log lines for this failure (the verifier log for a failed load), or null.</summary>
    public string? Detail { get; }

    private static string Format(string operation, int errno, string? detail)
    {
        var code = Math.Abs(errno);
        var text = $"{operation} failed: {Mesh.Native.Errno.Name(code)} ({System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(code)})";
        if (code == Mesh.Native.Errno.EPERM)
        {
            text += "; run as root (CAP_BPF, CAP_NET_ADMIN, CAP_SYS_ADMIN); `meshctl check` lists what is missing";
        }
        return detail is null ? text : $"{text}\n{detail}";
    }
}
