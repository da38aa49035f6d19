using Mesh.Cli.Cluster;

namespace Mesh.Tests.Unit.Cli.Cluster;

public sealed class PrerequisitesTests
{
    [Theory]
    [InlineData("v1.31.2", 1, 31)]
    [InlineData("v1.29.4-eks-1234abc", 1, 29)]
    [InlineData("v1.30.5-gke.1014001", 1, 30)]
    [InlineData("v1.28.3+k3s1", 1, 28)]
    [InlineData("6.18.0-1-amd64", 6, 18)]
    [InlineData("5.10.0-33-cloud-amd64", 5, 10)]
    [InlineData("4.19.291", 4, 19)]
    public void MajorMinor_VersionsClustersAndKernelsReport_AreParsed(string text, int major, int minor)
    {
        Assert.Equal(new Version(major, minor), Prerequisites.MajorMinor(text));
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("latest")]
    [InlineData("v1")]
    public void MajorMinor_NotAVersion_IsNull(string? text)
    {
        Assert.Null(Prerequisites.MajorMinor(text));
    }

    [Theory]
    [InlineData("5.10.0-33-cloud-amd64", true)]
    [InlineData("5.4.0-150-generic", false)]
    [InlineData(null, false)]
    public void Node_Kernel_AtLeast510(string? kernel, bool ok)
    {
        Assert.Equal(ok ? CheckStatus.Ok : CheckStatus.Fail, Prerequisites.Node("n", "linux", kernel, "amd64").Status);
    }

    [Fact]
    public void Kubernetes_Unparsable_FailsQuotingIt()
    {
        var line = Prerequisites.Kubernetes("latest");

        Assert.Equal(CheckStatus.Fail, line.Status);
        Assert.Contains("'latest'", line.Detail, StringComparison.Ordinal);
    }
}
