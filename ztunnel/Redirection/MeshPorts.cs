namespace Mesh.Ztunnel.Redirection;

/// <summary>The in-pod listener ports (same values as bpf/mesh_bpf.h).</summary>
public static class MeshPorts
{
    public const int Outbound = 15001;
    public const int Inbound = 15006;
    public const int Hbone = 15008;

    /// <summary><c>MESH_POD_ENROLLED</c>: the flag of an enrolled_pods entry.</summary>
    public const uint PodEnrolled = 1;
}
