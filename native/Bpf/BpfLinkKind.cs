namespace Mesh.Native;

/// <summary>How a <see cref="BpfLink"/> holds its program in place.</summary>
public enum BpfLinkKind
{
    /// <summary>A libbpf link (cgroup); detached when closed or when the process dies.</summary>
    Libbpf,

    /// <summary>A TCX link fd (kernel 6.6+); detached when closed or when the process dies.</summary>
    Tcx,

    /// <summary>A clsact ingress filter; stays after a crash, so it is removed at the next start.</summary>
    ClsactFilter,
}
