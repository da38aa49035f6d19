using Mesh.Cli.Terminal;
using Mesh.Core;

namespace Mesh.Cli.Install;

/// <summary>The helm command lines meshctl runs (pure): the release is <c>mesh</c> in the mesh's root namespace.</summary>
internal static class HelmArgs
{
    public const string Release = "mesh";

    public static List<string> Install(string chart, bool dryRun, IReadOnlyList<string> valuesFiles, IReadOnlyList<string> sets, string? kubeconfig, string? context)
    {
        List<string> args = dryRun
            ? ["template", Release, chart, "--namespace", MeshLabels.RootNamespace, "--include-crds"]
            : ["upgrade", "--install", Release, chart, "--namespace", MeshLabels.RootNamespace, "--create-namespace", "--wait", "--timeout", "5m"];
        foreach (var file in valuesFiles)
        {
            args.AddRange(["--values", file]);
        }
        foreach (var set in sets)
        {
            if (!set.Contains('=', StringComparison.Ordinal) || set.StartsWith('='))
            {
                throw new UsageException($"--set '{set}' is not KEY=VALUE (e.g. --set controlPlane.replicas=3)");
            }
            args.AddRange(["--set", set]);
        }
        return dryRun ? args : [.. args, .. Connection(kubeconfig, context)];
    }

    public static List<string> Uninstall(string? kubeconfig, string? context) =>
        ["uninstall", Release, "--namespace", MeshLabels.RootNamespace, "--wait", .. Connection(kubeconfig, context)];

    private static List<string> Connection(string? kubeconfig, string? context) =>
        [.. kubeconfig is null ? [] : new[] { "--kubeconfig", kubeconfig }, .. context is null ? [] : new[] { "--kube-context", context }];
}
