using Mesh.Ztunnel;
using Mesh.Ztunnel.Host;

namespace Mesh.Tests.Unit.Ztunnel.Host;

public sealed class UninstallOptionsTests
{
    [Fact]
    public void Parse_InstanceOnly_NoPodsFileNeeded()
    {
        // On a Kubernetes node there is no pods file: the pins name what to remove.
        var options = UninstallOptions.Parse(["--instance", "node-a"]);

        Assert.Equal("node-a", options.Instance);
        Assert.Null(options.PodsFile);
    }

    [Fact]
    public void Parse_PodsFile_IsRead()
    {
        var options = UninstallOptions.Parse(["--instance", "node-a", "--pods-file", "/x.json"]);

        Assert.Equal("/x.json", options.PodsFile);
    }

    [Fact]
    public void Parse_NoInstance_NodeFromTheEnvironmentElseZtunnel()
    {
        Assert.Equal("node-b", UninstallOptions.Parse([], name => name == "NODE_NAME" ? "node-b" : null).Instance);
        Assert.Equal("ztunnel", UninstallOptions.Parse([]).Instance);
    }

    [Theory]
    [InlineData("--instance ../etc")]
    [InlineData("--enroll-namespaces a")]
    [InlineData("--bogus")]
    public void Parse_BadArguments_OneLineSayingWhatIsWrong(string commandLine)
    {
        var e = Assert.Throws<ZtunnelConfigException>(() => UninstallOptions.Parse(commandLine.Split(' ', StringSplitOptions.RemoveEmptyEntries)));

        Assert.DoesNotContain('\n', e.Message);
        Assert.NotEmpty(e.Message);
    }
}
