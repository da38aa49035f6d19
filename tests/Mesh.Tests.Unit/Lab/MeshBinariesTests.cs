using Mesh.Lab;
using Mesh.Lab.Launch;

namespace Mesh.Tests.Unit.Lab;

public sealed class MeshBinariesTests
{
    [Theory]
    [InlineData("release", null, true)]
    [InlineData("Release", "0", true)]
    [InlineData("release", "1", false)]
    [InlineData("release", "true", false)]
    [InlineData("debug", null, false)]
    public void UseNative_ConfigurationAndSwitch_NativeOnlyForReleaseWithoutTheSwitch(string configuration, string? jit, bool native) =>
        Assert.Equal(native, MeshBinaries.UseNative(configuration, jit));

    [Fact]
    public void PublishDir_Release_IsWhereDotnetPublishPutsTheRidOutput() =>
        Assert.Equal(Path.Combine("/repo/artifacts", "publish", "Mesh.Ztunnel", "release_linux-x64"),
            MeshBinaries.PublishDir("/repo/artifacts", "Mesh.Ztunnel", "Release"));

    [Fact]
    public void Locate_NativeExecutableMissing_SaysToBuildOrSetTheJitSwitch()
    {
        var root = Directory.CreateTempSubdirectory("mesh-binaries-");
        try
        {
            var here = Directory.CreateDirectory(Path.Combine(root.FullName, "artifacts", "bin", "Mesh.Cli", "release"));
            var cp = Directory.CreateDirectory(Path.Combine(root.FullName, "artifacts", "bin", "Mesh.ControlPlane", "release"));
            File.WriteAllText(Path.Combine(cp.FullName, "controlplane.dll"), "");

            var e = Assert.Throws<LabException>(() => MeshBinaries.Locate(here.FullName + "/"));

            Assert.Contains("publish/Mesh.Ztunnel/release_linux-x64/ztunnel' is missing; run 'make build'", e.Message, StringComparison.Ordinal);
            Assert.Contains("MESH_JIT=1", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }
}
