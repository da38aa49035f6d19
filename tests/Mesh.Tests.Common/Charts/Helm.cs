using System.Diagnostics;
using Mesh.Tests.Common.Lab;

namespace Mesh.Tests.Common.Charts;

/// <summary>
/// Runs the real helm (v4) and kubectl from .tools/bin (scripts/tools.sh), else from PATH, as processes. They run
/// with a throw-away home (cache, config, data) and KUBECONFIG=/dev/null, so no cluster is ever contacted.
/// </summary>
public static class Helm
{
    public static string Chart => System.IO.Path.Combine(RepoPaths.Root, "charts", "mesh");

    /// <summary>The non-default values file of the chart tests.</summary>
    public static string CustomValues => System.IO.Path.Combine(RepoPaths.Root, "tests", "Mesh.Tests.Unit", "Charts", "values-custom.yaml");

    public static string? Path { get; } = Find("helm");

    public static string? Kubectl { get; } = Find("kubectl");

    /// <summary>helm with <paramref name="args"/>: exit code, stdout, stderr.</summary>
    public static Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(params string[] args) =>
        RunProcessAsync(Path ?? throw new InvalidOperationException("helm is not installed: run scripts/tools.sh"), args);

    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunProcessAsync(string program, IEnumerable<string> args)
    {
        var home = Directory.CreateTempSubdirectory("mesh-helm-");
        try
        {
            var psi = new ProcessStartInfo(program)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var a in args)
            {
                psi.ArgumentList.Add(a);
            }
            psi.Environment["HOME"] = home.FullName;
            psi.Environment["HELM_CACHE_HOME"] = System.IO.Path.Combine(home.FullName, "cache");
            psi.Environment["HELM_CONFIG_HOME"] = System.IO.Path.Combine(home.FullName, "config");
            psi.Environment["HELM_DATA_HOME"] = System.IO.Path.Combine(home.FullName, "data");
            psi.Environment["KUBECONFIG"] = "/dev/null";
            using var process = Process.Start(psi)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            await process.WaitForExitAsync(timeout.Token);
            return (process.ExitCode, await stdout, await stderr);
        }
        finally
        {
            home.Delete(recursive: true);
        }
    }

    private static string? Find(string name)
    {
        var local = System.IO.Path.Combine(RepoPaths.Root, ".tools", "bin", name);
        if (File.Exists(local))
        {
            return local;
        }
        return (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(d => System.IO.Path.Combine(d, name)).FirstOrDefault(File.Exists);
    }
}
