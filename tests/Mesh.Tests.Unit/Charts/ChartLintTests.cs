using Mesh.Tests.Common.Charts;

namespace Mesh.Tests.Unit.Charts;

/// <summary>`helm lint` (with values.schema.json) on the chart, as a user runs it before installing.</summary>
public sealed class ChartLintTests
{
    [HelmFact]
    public async Task Lint_DefaultValues_Passes()
    {
        var (exit, stdout, stderr) = await Helm.RunAsync("lint", Helm.Chart, "--strict");

        Assert.True(exit == 0, stdout + stderr);
        Assert.Contains("0 chart(s) failed", stdout);
    }

    [HelmFact]
    public async Task Lint_CustomValues_Passes()
    {
        var (exit, stdout, stderr) = await Helm.RunAsync("lint", Helm.Chart, "--strict", "-f", Helm.CustomValues);

        Assert.True(exit == 0, stdout + stderr);
    }

    [HelmFact]
    public async Task Lint_MisspeltKey_FailsNamingTheKey()
    {
        var (exit, stdout, stderr) = await Helm.RunAsync("lint", Helm.Chart, "--set", "controlPlane.replica=3");

        Assert.NotEqual(0, exit);
        Assert.Contains("at '/controlPlane': additional properties 'replica' not allowed", stdout + stderr);
    }

    [HelmFact]
    public async Task Lint_UnknownLogLevel_FailsListingTheLevels()
    {
        var (exit, stdout, stderr) = await Helm.RunAsync("lint", Helm.Chart, "--set", "logLevel=verbose");

        Assert.NotEqual(0, exit);
        Assert.Contains("at '/logLevel': value must be one of 'trace', 'debug', 'info', 'warning', 'error'", stdout + stderr);
    }

    [HelmFact]
    public async Task Template_BadCertTtl_FailsBeforeRendering()
    {
        // helm install runs the same schema check: a duration the control plane cannot parse never reaches it.
        var (exit, stdout, stderr) = await Helm.RunAsync("template", "mesh", Helm.Chart, "--set", "controlPlane.certTtl=1week");

        Assert.NotEqual(0, exit);
        Assert.Contains("'/controlPlane/certTtl': '1week' does not match pattern", stderr);
        Assert.DoesNotContain("kind: Deployment", stdout);
    }

    [HelmFact]
    public async Task Template_ZeroReplicas_Fails()
    {
        var (exit, _, stderr) = await Helm.RunAsync("template", "mesh", Helm.Chart, "--set", "controlPlane.replicas=0");

        Assert.NotEqual(0, exit);
        Assert.Contains("/controlPlane/replicas", stderr);
    }
}
