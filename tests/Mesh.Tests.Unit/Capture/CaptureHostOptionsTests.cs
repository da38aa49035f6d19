using Mesh.Native;
using Mesh.Ztunnel;
using Mesh.Ztunnel.Host;

namespace Mesh.Tests.Unit.Capture;

public sealed class CaptureHostOptionsTests
{
    [Fact]
    public void Parse_PodsFileAndNamespaces_AreRead()
    {
        var options = CaptureHostOptions.Parse(["--pods-file", "/x.json", "--enroll-namespaces", "a, b"]);

        Assert.Equal("/x.json", options.PodsFile);
        Assert.True(options.EnrollNamespaces.SetEquals(["a", "b"]));
        Assert.Equal(TcAttachMode.Auto, options.TcMode);
    }

    [Fact]
    public void Parse_TcMode_IsRead()
    {
        var options = CaptureHostOptions.Parse(["--pods-file", "/x.json", "--tc-mode", "clsact"]);

        Assert.Equal(TcAttachMode.Clsact, options.TcMode);
    }

    [Theory]
    [InlineData("")]
    [InlineData("--enroll-namespaces a")]
    [InlineData("--pods-file /x --tc-mode ebpf")]
    [InlineData("--bogus")]
    public void Parse_BadArguments_SaysWhatIsWrong(string commandLine)
    {
        var e = Assert.Throws<ZtunnelConfigException>(() => CaptureHostOptions.Parse(commandLine.Split(' ', StringSplitOptions.RemoveEmptyEntries)));

        Assert.DoesNotContain('\n', e.Message);
        Assert.NotEmpty(e.Message);
    }

    [Fact]
    public void Parse_UninstallWithoutPodsFile_NeedsOnlyTheInstance()
    {
        // On a Kubernetes node there is no pods file: the pins name the pods to clean up.
        var options = CaptureHostOptions.Parse(["uninstall", "--instance", "node-a"]);

        Assert.True(options.Uninstall);
        Assert.Equal("node-a", options.Instance);
        Assert.Null(options.PodsFile);
    }

    [Fact]
    public void Parse_FlagAbsent_TakesItFromTheEnvironment()
    {
        var options = CaptureHostOptions.Parse(["--pods-file", "/x.json"], name => name switch { "MESH_TC_MODE" => "tcx", "NODE_NAME" => "node-b", _ => null });

        Assert.Equal(TcAttachMode.Tcx, options.TcMode);
        Assert.Equal("node-b", options.Instance);
    }
}
