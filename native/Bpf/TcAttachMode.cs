namespace Mesh.Native.Bpf;

/// <summary>How to attach a TC ingress program.</summary>
public enum TcAttachMode
{
    /// <summary>A TCX link where the kernel has TCX, else a clsact filter.</summary>
    Auto,

    /// <summary>Only a TCX link.</summary>
    Tcx,

    /// <summary>Only a clsact filter (what kernels before 6.6 have).</summary>
    Clsact,
}
