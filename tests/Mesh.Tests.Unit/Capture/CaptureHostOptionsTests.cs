using Mesh.Native;
using Mesh.Ztunnel.Host;

namespace Mesh.Tests.Unit.Capture;

public sealed class CaptureHostOptionsTests
{
    [Fact]
    public void Parse_PodsFileAndNamespaces_AreRead()
    {
        var options = CaptureHostOptions.Parse(["--pods-file", "/x.json", "--enroll-namespaces", "a, b"], out var error);

        Assert.Null(error);
        Assert.Equal("/x.json", options!.PodsFile);
        Assert.True(options.EnrollNamespaces.SetEquals(["a", "b"]));
        Assert.Equal(TcAttachMode.Auto, options.TcMode);
    }

    [Fact]
    public void Parse_TcMode_IsRead()
    {
        var options = CaptureHostOptions.Parse(["--pods-file", "/x.json", "--tc-mode", "clsact"], out _);

        Assert.Equal(TcAttachMode.Clsact, options!.TcMode);
    }

    [Theory]
    [InlineData("")]
    [InlineData("--enroll-namespaces a")]
    [InlineData("--pods-file /x --tc-mode ebpf")]
    [InlineData("--bogus")]
    public void Parse_BadArguments_SaysWhatIsWrong(string commandLine)
    {
        var options = CaptureHostOptions.Parse(commandLine.Split(' ', StringSplitOptions.RemoveEmptyEntries), out var error);

        Assert.Null(options);
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Fact]
    public void Parse_UninstallWithoutPodsFile_NeedsOnlyTheInstance()
    {
        // On a Kubernetes node there is no pods file: the pins name the pods to clean up.
        var options = CaptureHostOptions.Parse(["uninstall", "--instance", "node-a"], out var error);

        Assert.Null(error);
        Assert.True(options!.Uninstall);
        Assert.Equal("node-a", options.Instance);
        Assert.Null(options.PodsFile);
    }
}
