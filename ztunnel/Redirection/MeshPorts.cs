namespace Mesh.Ztunnel.Redirection;

/// <summary>The in-pod listener ports (same values as bpf/mesh_bpf.h).</summary>
public static class MeshPorts
{
    public const int Outbound = 15001;
    public const int Inbound = 15006;
    public const int Hbone = 15008;
}
