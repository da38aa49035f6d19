namespace Mesh.Lab.Launch;

/// <summary>
/// Where the mesh's programs are and how to start them. A Release build runs the data plane (ztunnel, the
/// waypoint) as the Native AOT executables `make build` publishes to artifacts/publish/&lt;Project&gt;/release_linux-x64/;
/// the CNI plugin likewise; a Debug build, or <c>MESH_JIT=1</c>, runs the JIT builds next to meshctl's own output
/// (artifacts/bin/&lt;Project&gt;/&lt;config&gt;/). The control plane is always JIT.
/// </summary>
public sealed record MeshBinaries(IReadOnlyList<string> ControlPlane, IReadOnlyList<string> Ztunnel, string Waypoint, string Cni, bool Native)
{
    /// <summary>The environment switch that selects the JIT builds of ztunnel and the waypoint in a Release build.</summary>
    public const string JitVariable = "MESH_JIT";

    public const string RuntimeIdentifier = "linux-x64";

    /// <summary>Finds the binaries of the same build configuration as the running assembly.</summary>
    public static MeshBinaries Locate(string? baseDirectory = null)
    {
        var here = new DirectoryInfo(baseDirectory ?? AppContext.BaseDirectory);
        var config = here.Name;
        var artifacts = here.Parent?.Parent?.Parent?.FullName
            ?? throw new LabException($"cannot find the build output above '{here.FullName}'; run 'make setup'");
        var native = UseNative(config, Environment.GetEnvironmentVariable(JitVariable));
        var cp = Require(Path.Combine(artifacts, "bin", "Mesh.ControlPlane", config, "controlplane.dll"), native: false);
        var zt = native
            ? Require(Path.Combine(PublishDir(artifacts, "Mesh.Ztunnel", config), "ztunnel"), native)
            : Require(Path.Combine(artifacts, "bin", "Mesh.Ztunnel", config, "ztunnel.dll"), native);
        var wp = native
            ? Require(Path.Combine(PublishDir(artifacts, "Mesh.Waypoint", config), "waypoint"), native)
            : Require(Path.Combine(artifacts, "bin", "Mesh.Waypoint", config, "waypoint"), native);
        var cni = native
            ? Require(Path.Combine(PublishDir(artifacts, "Mesh.Cni", config), "mesh-cni"), native)
            : Require(Path.Combine(artifacts, "bin", "Mesh.Cni", config, "mesh-cni"), native);
        return new MeshBinaries(["dotnet", cp], native ? [zt] : ["dotnet", zt], wp, cni, native);
    }

    /// <summary>Native unless the build is Debug or <paramref name="jitSwitch"/> is set to 1/true.</summary>
    public static bool UseNative(string configuration, string? jitSwitch) =>
        !string.Equals(configuration, "debug", StringComparison.OrdinalIgnoreCase)
        && jitSwitch is not ("1" or "true" or "yes");

    /// <summary>artifacts/publish/&lt;project&gt;/&lt;config&gt;_linux-x64: where `dotnet publish -r linux-x64` puts its output.</summary>
    public static string PublishDir(string artifacts, string project, string configuration) =>
        Path.Combine(artifacts, "publish", project, $"{configuration.ToLowerInvariant()}_{RuntimeIdentifier}");

    private static string Require(string path, bool native) =>
        File.Exists(path)
            ? path
            : throw new LabException(native
                ? $"'{path}' is missing; run 'make build' (it publishes the native executables), or set {JitVariable}=1 to run the JIT builds"
                : $"'{path}' is missing; run 'make setup' (or pass --no-mesh to build the lab without the mesh)");
}
