using System.ComponentModel;
using System.Diagnostics;
using Mesh.Cli.Cluster;

namespace Mesh.Cli.Install;

/// <summary>Runs helm, copying its output to ours; a failure is one <see cref="ClusterException"/> line with helm's own last error line.</summary>
internal static class HelmRunner
{
    public static async Task RunAsync(string helm, IReadOnlyList<string> args, TextWriter output, CancellationToken ct)
    {
        var start = new ProcessStartInfo(helm) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (Win32Exception e)
        {
            throw new ClusterException($"cannot run {helm}: {e.Message}; install helm (scripts/tools.sh puts it in .tools/bin) or pass --helm PATH");
        }
        using (process)
        {
            var stderr = process.StandardError.ReadToEndAsync(ct);
            var buffer = new char[16384];
            int n;
            while ((n = await process.StandardOutput.ReadAsync(buffer, ct)) > 0)
            {
                await output.WriteAsync(buffer.AsMemory(0, n), ct);
            }
            await process.WaitForExitAsync(ct);
            var error = (await stderr).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (process.ExitCode != 0)
            {
                throw new ClusterException($"helm {args[0]} failed (exit {process.ExitCode}): {(error.Length > 0 ? error[^1] : "no message")}");
            }
        }
    }
}
