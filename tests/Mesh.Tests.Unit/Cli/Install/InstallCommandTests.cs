using System.Diagnostics;
using Mesh.Cli.Install;
using Mesh.ControlPlane.Registry;
using Mesh.Tests.Common.Charts;

namespace Mesh.Tests.Unit.Cli.Install;

/// <summary>meshctl install --dry-run with the real helm (.tools/bin) and the repository's chart; the binary's exit codes and one-line errors.</summary>
public sealed class InstallCommandTests
{
    private static readonly string Meshctl = Path.Combine(AppContext.BaseDirectory, "meshctl");

    [HelmFact]
    public async Task InstallAsync_DryRun_PrintsWhatHelmTemplateRendersWithTheSets()
    {
        var output = new StringWriter();

        var exit = await InstallCommand.InstallAsync(null, null, dryRun: true, [], ["controlPlane.replicas=2"], null, null, output, CancellationToken.None);

        Assert.Equal(0, exit);
        var objects = YamlDocuments.Parse(output.ToString());
        var chart = await RenderedChart.Default;
        Assert.Equal(chart.Objects.Select(o => $"{o["kind"]}/{o["metadata"]!["name"]}").Order(), objects.Select(o => $"{o["kind"]}/{o["metadata"]!["name"]}").Order());
        Assert.Equal(2, (long)objects.Single(o => (string?)o["kind"] == "Deployment")["spec"]!["replicas"]!);
    }

    [HelmFact]
    public async Task Meshctl_InstallDryRun_ExitsZeroWithTheManifests()
    {
        var (exit, stdout, stderr) = await RunAsync("install", "--dry-run");

        Assert.True(exit == 0, stderr);
        Assert.Contains("kind: DaemonSet", stdout, StringComparison.Ordinal);
        Assert.Contains("kind: CustomResourceDefinition", stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(2, "meshctl: --chart /nonexistent is not a Helm chart (no Chart.yaml); pass the folder charts/mesh", "install", "--dry-run", "--chart", "/nonexistent")]
    [InlineData(2, "meshctl: values file /nonexistent.yaml does not exist", "install", "--dry-run", "-f", "/nonexistent.yaml")]
    [InlineData(1, "meshctl: cannot run /nonexistent/helm:", "install", "--dry-run", "--helm", "/nonexistent/helm")]
    [InlineData(2, "meshctl: Argument 'pods' not recognized. Must be one of: 'service' 'namespace'", "waypoint", "apply", "-n", "apps", "--for", "pods")]
    [InlineData(1, "meshctl: no kubeconfig found at /nonexistent", "enroll", "apps", "--kubeconfig", "/nonexistent")]
    public async Task Meshctl_Wrong_IsOneLineWithItsExitCode(int code, string start, params string[] args)
    {
        var (exit, _, stderr) = await RunAsync(args);

        Assert.Equal(code, exit);
        Assert.StartsWith(start, stderr, StringComparison.Ordinal);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task Meshctl_EnrollAgainstTheStandInApiServer_ExitsZeroOrOneWithOneLine()
    {
        // The stand-in API server (no kube-apiserver runs here), reached through a real kubeconfig file.
        await using var cluster = await Cli.FakeCluster.StartAsync();
        cluster.Namespace("apps");

        var ok = await RunAsync("enroll", "apps", "--kubeconfig", cluster.Kubeconfig);
        var missing = await RunAsync("unenroll", "gone", "--kubeconfig", cluster.Kubeconfig);

        Assert.True(ok.Exit == 0, ok.Stderr);
        Assert.StartsWith("namespace apps enrolled", ok.Stdout, StringComparison.Ordinal);
        Assert.Equal("ambient", cluster.Labels(Cli.FakeCluster.Namespaces, null, "apps")["mesh.dev/dataplane-mode"]);
        Assert.Equal(1, missing.Exit);
        Assert.Equal("meshctl: namespace gone does not exist; create it first (kubectl create namespace gone)", missing.Stderr.Trim());
    }

    private static async Task<(int Exit, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        var start = new ProcessStartInfo(Meshctl) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetTempPath() };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }
        start.Environment["KUBECONFIG"] = "/dev/null/none";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout, await stderr);
    }
}
