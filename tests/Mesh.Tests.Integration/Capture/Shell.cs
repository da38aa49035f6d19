using System.Diagnostics;

namespace Mesh.Tests.Integration.Capture;

/// <summary>Runs commands for the capture tests (ip, tc, bpftool, ss, curl) and returns their output.</summary>
internal static class Shell
{
    public static string Run(string command, bool check = true, int timeoutMs = 30_000)
    {
        var (code, output) = RunWithCode(command, timeoutMs);
        if (check && code != 0)
        {
            throw new InvalidOperationException($"`{command}` exited {code}: {output}");
        }
        return output;
    }

    public static (int Code, string Output) RunWithCode(string command, int timeoutMs = 30_000)
    {
        var psi = new ProcessStartInfo("/bin/sh", ["-c", command])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeoutMs))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"`{command}` did not finish");
        }
        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}
