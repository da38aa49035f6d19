namespace Mesh.Lab.Launch;

/// <summary>Where the mesh's binaries are: next to meshctl's own build output (artifacts/bin/&lt;Project&gt;/&lt;config&gt;/).</summary>
public sealed record MeshBinaries(string ControlPlane, string Ztunnel, string Cni)
{
    /// <summary>Finds the binaries of the same build configuration as the running assembly.</summary>
    public static MeshBinaries Locate(string? baseDirectory = null)
    {
        var here = new DirectoryInfo(baseDirectory ?? AppContext.BaseDirectory);
        var config = here.Name;
        var bin = here.Parent?.Parent?.FullName
            ?? throw new LabException($"cannot find the build output above '{here.FullName}'; run 'make setup'");
        var cp = Path.Combine(bin, "Mesh.ControlPlane", config, "controlplane.dll");
        var zt = Path.Combine(bin, "Mesh.Ztunnel", config, "ztunnel.dll");
        var cni = Path.Combine(bin, "Mesh.Cni", config, "mesh-cni");
        foreach (var f in new[] { cp, zt, cni })
        {
            if (!File.Exists(f))
            {
                throw new LabException($"'{f}' is missing; run 'make setup' (or pass --no-mesh to build the lab without the mesh)");
            }
        }
        return new MeshBinaries(cp, zt, cni);
    }
}
