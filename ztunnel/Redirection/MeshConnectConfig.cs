using System.Runtime.InteropServices;

namespace Mesh.Ztunnel.Redirection;

/// <summary>Mirror of <c>struct mesh_connect_config</c>: the .rodata settings of capture_connect.bpf.o.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct MeshConnectConfig
{
    public uint ZtunnelMark;
    public uint InboundMark;
}
