using System.Runtime.InteropServices;

namespace Mesh.Ztunnel.Redirection;

/// <summary>Mirror of <c>struct mesh_enrolled_pod</c> (bpf/mesh_bpf.h): the value of the pinned enrolled_pods map.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct MeshEnrolledPod
{
    /// <summary><see cref="MeshPorts.PodEnrolled"/>.</summary>
    public uint Flags;
    public uint Pad;
}
