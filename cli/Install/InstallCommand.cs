using System.CommandLine;
using Mesh.Cli.Cluster;
using Mesh.Cli.Terminal;
using Mesh.Core;

namespace Mesh.Cli.Install;

/// <summary>
/// <c>meshctl install [--dry-run]</c> and <c>meshctl uninstall</c>: drive helm with the chart of this source tree
/// (release <c>mesh</c> in mesh-system). <c>--dry-run</c> prints the manifests (<c>helm template</c>, CRDs included)
/// and needs no cluster.
/// </summary>
internal static class InstallCommand
{
    public static Command CreateInstall()
    {
        var dryRun = new Option<bool>("--dry-run") { Description = "print the manifests instead of installing (no cluster needed)" };
        var values = new Option<string[]>("--values", "-f") { Description = "a values file (repeatable)", AllowMultipleArgumentsPerToken = false };
        var sets = new Option<string[]>("--set") { Description = "KEY=VALUE, as helm's --set (repeatable)" };
        var (chart, helm) = ToolOptions();
        var cluster = new ClusterOptions();
        var cmd = new Command("install", "install or upgrade the mesh with helm (charts/mesh; release mesh in mesh-system)") { dryRun, values, sets, chart, helm };
        cluster.AddTo(cmd);
        cmd.SetAction(async (parse, ct) =>
        {
            var (kubeconfig, context) = cluster.Values(parse);
            return await InstallAsync(parse.GetValue(chart), parse.GetValue(helm), parse.GetValue(dryRun), parse.GetValue(values) ?? [], parse.GetValue(sets) ?? [],
                kubeconfig, context, Console.Out, ct);
        });
        return cmd;
    }

    public static Command CreateUninstall()
    {
        var (_, helm) = ToolOptions();
        var cluster = new ClusterOptions();
        var cmd = new Command("uninstall", "remove the mesh's release (the CA Secret mesh-ca and the CRDs are kept)") { helm };
        cluster.AddTo(cmd);
        cmd.SetAction(async (parse, ct) =>
        {
            var (kubeconfig, context) = cluster.Values(parse);
            await HelmRunner.RunAsync(RepoPaths.Helm(parse.GetValue(helm)), HelmArgs.Uninstall(kubeconfig, context), Console.Out, ct);
            Console.Out.WriteLine($"kept: Secret {MeshLabels.RootNamespace}/mesh-ca (its root signed every workload certificate) and the CRD authorizationpolicies.{MeshLabels.SecurityApiGroup}; " +
                $"delete them with kubectl -n {MeshLabels.RootNamespace} delete secret mesh-ca and kubectl delete crd authorizationpolicies.{MeshLabels.SecurityApiGroup}");
            return 0;
        });
        return cmd;
    }

    public static async Task<int> InstallAsync(string? chart, string? helm, bool dryRun, IReadOnlyList<string> values, IReadOnlyList<string> sets,
        string? kubeconfig, string? context, TextWriter output, CancellationToken ct)
    {
        foreach (var file in values)
        {
            if (!File.Exists(file))
            {
                throw new UsageException($"values file {file} does not exist");
            }
        }
        var args = HelmArgs.Install(RepoPaths.Chart(chart), dryRun, values, sets, kubeconfig, context);
        await HelmRunner.RunAsync(RepoPaths.Helm(helm), args, output, ct);
        if (!dryRun)
        {
            output.WriteLine("next: meshctl check, then meshctl enroll NAMESPACE");
        }
        return 0;
    }

    private static (Option<string?> Chart, Option<string?> Helm) ToolOptions() =>
        (new Option<string?>("--chart") { Description = "the chart folder (default: this source tree's charts/mesh)" },
         new Option<string?>("--helm") { Description = "the helm binary (default: .tools/bin/helm of this source tree, else helm on PATH)" });
}
