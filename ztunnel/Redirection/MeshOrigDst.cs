using System.Runtime.InteropServices;

namespace Mesh.Ztunnel.Redirection;

/// <summary>Mirror of <c>struct mesh_orig_dst</c> (bpf/mesh_bpf.h): IPv4 in network order, port in host order.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct MeshOrigDst
{
    public uint Ip;
    public ushort Port;
    public ushort Pad;
}
