using Mesh.Core;
using Mesh.Core.Model;

namespace Mesh.Ztunnel.Inbound;

/// <summary>Resolves the effective mode: the workload's <c>mesh.dev/mtls-mode</c> label, else the mesh-wide default.</summary>
public static class MtlsModes
{
    public static MtlsMode For(Workload workload, MtlsMode meshDefault = MtlsMode.Permissive)
    {
        if (workload.Labels.TryGetValue(MeshLabels.MtlsMode, out var value))
        {
            if (string.Equals(value, MeshLabels.MtlsModeStrict, StringComparison.OrdinalIgnoreCase))
            {
                return MtlsMode.Strict;
            }
            if (string.Equals(value, MeshLabels.MtlsModePermissive, StringComparison.OrdinalIgnoreCase))
            {
                return MtlsMode.Permissive;
            }
        }
        return meshDefault;
    }
}
