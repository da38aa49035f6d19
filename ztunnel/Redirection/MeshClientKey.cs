using System.Runtime.InteropServices;

namespace Mesh.Ztunnel.Redirection;

/// <summary>Mirror of <c>struct mesh_client_key</c> (bpf/mesh_bpf.h).</summary>
[StructLayout(LayoutKind.Sequential)]
public struct MeshClientKey
{
    public ulong NetnsCookie;
    public uint Ip;
    public ushort Port;
    public ushort Pad;
}
