namespace Mesh.Native.Bpf;

/// <summary>How a <see cref="BpfLink"/> holds its program in place.</summary>
public enum BpfLinkKind
{
    /// <summary>A cgroup link fd; detached when the last fd and its pin are gone.</summary>
    Cgroup,

    /// <summary>A TCX link fd (kernel 6.6+); detached when the last fd and its pin are gone.</summary>
    Tcx,

    /// <summary>A clsact ingress filter: the kernel holds it until it is removed (it needs no pin).</summary>
    ClsactFilter,
}
