using System.Diagnostics;

namespace Mesh.Lab.Runtime;

/// <summary>
/// Starts commands inside a lab network namespace and cgroup. A small sh wrapper writes its own PID to the
/// cgroup's cgroup.procs, then execs nsenter into the netns, which execs the command: the PID the lab records is
/// the command's PID, and everything it forks stays in the cgroup, so down can find and kill it.
/// </summary>
internal static class Launcher
{
    private const string DetachedScript =
        "echo $$ > \"$1/cgroup.procs\" || exit 125; exec >>\"$2\" 2>&1 </dev/null; ns=$3; shift 3; " +
        "exec setsid nsenter --net=\"$ns\" -- \"$@\"";

    private const string AttachedScript =
        "echo $$ > \"$1/cgroup.procs\" || exit 125; ns=$2; shift 2; exec nsenter --net=\"$ns\" -- \"$@\"";

    /// <summary>Starts a long-running process with stdout/stderr appended to <paramref name="logPath"/>; returns its PID.</summary>
    public static int StartDetached(
        IReadOnlyList<string> argv, string netnsPath, string cgroupPath, string logPath,
        IEnumerable<KeyValuePair<string, string>> env)
    {
        if (argv.Count == 0)
        {
            throw new LabException("empty command; give the program to run");
        }
        Directory.CreateDirectory(Path.GetDirectoryName(logPath)!);
        var psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        foreach (var a in new[] { "-c", DetachedScript, "mesh-lab", cgroupPath, logPath, netnsPath }.Concat(argv))
        {
            psi.ArgumentList.Add(a);
        }
        foreach (var (k, v) in env)
        {
            psi.Environment[k] = v;
        }
        try
        {
            using var p = Process.Start(psi) ?? throw new LabException($"cannot start {argv[0]}");
            return p.Id;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new LabException($"cannot start {argv[0]}: {e.Message}", e);
        }
    }

    /// <summary>Runs a command in the netns and cgroup and waits for it (with a deadline); returns exit code and output.</summary>
    public static Task<CommandResult> RunAsync(
        IReadOnlyList<string> argv, string netnsPath, string cgroupPath, TimeSpan timeout,
        IEnumerable<KeyValuePair<string, string>>? env, CancellationToken ct)
    {
        if (argv.Count == 0)
        {
            throw new LabException("empty command; give the program to run");
        }
        return Shell.RunAsync("/bin/sh", new[] { "-c", AttachedScript, "mesh-lab", cgroupPath, netnsPath }.Concat(argv),
            stdin: null, timeout, env, ct);
    }
}
