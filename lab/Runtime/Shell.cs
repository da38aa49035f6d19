using System.Diagnostics;

namespace Mesh.Lab.Runtime;

/// <summary>Runs a program to completion and collects its output. Used for ip(8) and the pod exec helper.</summary>
internal static class Shell
{
    public static async Task<CommandResult> RunAsync(
        string file, IEnumerable<string> args, string? stdin = null, TimeSpan? timeout = null,
        IEnumerable<KeyValuePair<string, string>>? env = null, CancellationToken ct = default)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        foreach (var (k, v) in env ?? [])
        {
            psi.Environment[k] = v;
        }
        using var p = new Process { StartInfo = psi };
        try
        {
            p.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new LabException($"cannot run '{file}': {e.Message}; install it (scripts/deps.sh lists the packages)", e);
        }
        var stdout = p.StandardOutput.ReadToEndAsync(ct);
        var stderr = p.StandardError.ReadToEndAsync(ct);
        if (stdin is not null)
        {
            await p.StandardInput.WriteAsync(stdin.AsMemory(), ct);
        }
        p.StandardInput.Close();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout ?? TimeSpan.FromMinutes(2));
        try
        {
            await p.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            try
            {
                p.Kill(entireProcessTree: false);
            }
            catch (InvalidOperationException)
            {
            }
            await p.WaitForExitAsync(CancellationToken.None);
            var outText = await stdout;
            var errText = await stderr;
            return new CommandResult(124, outText, errText + $"\n(timed out after {(timeout ?? TimeSpan.FromMinutes(2)).TotalSeconds:0.#} s)");
        }
        return new CommandResult(p.ExitCode, await stdout, await stderr);
    }

    /// <summary>Runs ip(8) with the given arguments; throws <see cref="LabException"/> naming <paramref name="what"/> on failure.</summary>
    public static async Task<string> IpAsync(string what, IEnumerable<string> args, string? stdin = null, CancellationToken ct = default)
    {
        var argList = args.ToList();
        var r = await RunAsync("ip", argList, stdin, TimeSpan.FromSeconds(30), ct: ct);
        if (!r.Ok)
        {
            throw new LabException($"{what}: ip {string.Join(' ', argList)} failed: {r.Stderr.Trim().Replace('\n', ' ')}");
        }
        return r.Stdout;
    }

    /// <summary>Runs ip -n NETNS -batch - with one command per line.</summary>
    public static Task<string> IpBatchAsync(string what, string? netns, IEnumerable<string> lines, CancellationToken ct = default)
    {
        var args = netns is null ? new List<string> { "-batch", "-" } : ["-n", netns, "-batch", "-"];
        return IpAsync(what, args, string.Join('\n', lines) + "\n", ct);
    }
}
