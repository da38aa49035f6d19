using Mesh.Cli;
using Mesh.Cli.Install;
using Mesh.Cli.Terminal;

namespace Mesh.Tests.Unit.Cli.Install;

public sealed class HelmArgsTests
{
    [Fact]
    public void Install_NotDryRun_UpgradesInstallsIntoMeshSystemAndWaits()
    {
        var args = HelmArgs.Install("/src/charts/mesh", dryRun: false, ["v.yaml"], ["controlPlane.replicas=3"], "/k/config", "kind-mesh");

        Assert.Equal(["upgrade", "--install", "mesh", "/src/charts/mesh", "--namespace", "mesh-system", "--create-namespace", "--wait", "--timeout", "5m",
            "--values", "v.yaml", "--set", "controlPlane.replicas=3", "--kubeconfig", "/k/config", "--kube-context", "kind-mesh"], args);
    }

    [Fact]
    public void Install_DryRun_TemplatesWithCrdsAndNoCluster()
    {
        Assert.Equal(["template", "mesh", "/c", "--namespace", "mesh-system", "--include-crds"], HelmArgs.Install("/c", dryRun: true, [], [], "/k/config", null));
    }

    [Fact]
    public void Install_SetWithoutEquals_IsAUsageError()
    {
        var e = Assert.Throws<UsageException>(() => HelmArgs.Install("/c", true, [], ["replicas"], null, null));

        Assert.Equal("--set 'replicas' is not KEY=VALUE (e.g. --set controlPlane.replicas=3)", e.Message);
    }
}
