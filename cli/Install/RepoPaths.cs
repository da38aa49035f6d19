using Mesh.Cli.Terminal;

namespace Mesh.Cli.Install;

/// <summary>Where meshctl finds the chart and helm of its source tree: the nearest folder above the binary that holds charts/mesh.</summary>
internal static class RepoPaths
{
    public const string ChartFolder = "charts/mesh";

    public static string? FindRoot(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, ChartFolder, "Chart.yaml")))
            {
                return dir.FullName;
            }
        }
        return null;
    }

    /// <summary>The chart folder: <paramref name="chart"/> when given, else the source tree's.</summary>
    public static string Chart(string? chart)
    {
        if (chart is not null)
        {
            return File.Exists(Path.Combine(chart, "Chart.yaml")) ? Path.GetFullPath(chart)
                : throw new UsageException($"--chart {chart} is not a Helm chart (no Chart.yaml); pass the folder charts/mesh");
        }
        return FindRoot(AppContext.BaseDirectory) is { } root ? Path.Combine(root, ChartFolder)
            : throw new UsageException($"no {ChartFolder} above {AppContext.BaseDirectory}; pass --chart DIR (the repository's charts/mesh)");
    }

    /// <summary>The helm binary: <paramref name="helm"/> when given, else the source tree's .tools/bin/helm (scripts/tools.sh), else helm on PATH.</summary>
    public static string Helm(string? helm) =>
        helm ?? (FindRoot(AppContext.BaseDirectory) is { } root && File.Exists(Path.Combine(root, ".tools/bin/helm")) ? Path.Combine(root, ".tools/bin/helm") : "helm");
}
