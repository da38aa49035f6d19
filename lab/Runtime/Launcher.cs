using System.Diagnostics;

namespace Mesh.Lab.Runtime;

/// <summary>
/// Starts commands inside a lab network namespace and cgroup. A small sh wrapper writes its own PID to the
/// cgroup's cgroup.procs, then execs nsenter into the netns, which execs the command: the PID the lab records is
/// the command's PID, and everything it forks stays in the cgroup, so down can find and kill it. Every long-running
/// process (a pod, a node's ztunnel and its supervisor) starts in a session of its own, as a container runtime starts a
/// container: out of reach of the caller's terminal, and in its own scheduler autogroup. A ztunnel left in the caller's
/// session shared one autogroup with every `lab exec` (wrk included): CFS then split the CPU between that group and each
/// pod's, and the mesh path measured about 25% more CPU per request at saturation than with ztunnel in its own session.
/// </summary>
internal static class Launcher
{
    private const string DetachedScript =
        "echo $$ > \"$1/cgroup.procs\" || exit 125; exec >>\"$2\" 2>&1 </dev/null; ns=$3; shift 3; " +
        "exec nsenter --net=\"$ns\" -- \"$@\"";

    private const string AttachedScript =
        "echo $$ > \"$1/cgroup.procs\" || exit 125; ns=$2; shift 2; exec nsenter --net=\"$ns\" -- \"$@\"";

    /// <summary>
    /// The lab's kubelet for one node process (a DaemonSet pod's restartPolicy Always): runs the command, writes the
    /// running child's PID to the pid file, and when the child exits starts it again after a backoff (0 s, then 0.2 s
    /// doubling to 10 s; back to 0 once a child ran 10 s). SIGHUP starts a new child next to the running one (the
    /// new one takes over through the handoff, the old one drains and exits by itself); SIGTERM stops the child
    /// and the supervisor.
    /// </summary>
    private const string SupervisedScript =
        "echo $$ > \"$1/cgroup.procs\" || exit 125; exec >>\"$2\" 2>&1 </dev/null; ns=$3; pidfile=$4; shift 4; " +
        "child=0; stopping=0; d=0; started=0; " +
        "start() { nsenter --net=\"$ns\" -- \"$@\" & child=$!; echo $child > \"$pidfile.tmp\"; mv \"$pidfile.tmp\" \"$pidfile\"; started=$(date +%s); }; " +
        "trap 'stopping=1; kill -TERM $child 2>/dev/null' TERM INT; trap 'start \"$@\"' HUP; " +
        "start \"$@\"; " +
        "while :; do wait $child; rc=$?; " +
        "if [ $stopping = 1 ]; then wait; exit 0; fi; " +
        "if kill -0 $child 2>/dev/null; then continue; fi; " +
        "if [ $(( $(date +%s) - started )) -ge 10 ]; then d=0; fi; " +
        "echo \"mesh-lab supervisor: pid $child exited with $rc; restarting in $((d / 10)).$((d % 10)) s\"; " +
        "sleep $((d / 10)).$((d % 10)); " +
        "if [ $d = 0 ]; then d=2; elif [ $d -lt 100 ]; then d=$((d * 2)); fi; if [ $d -gt 100 ]; then d=100; fi; " +
        "if [ $stopping = 1 ]; then exit 0; fi; start \"$@\"; done";

    /// <summary>Starts <paramref name="argv"/> under the supervisor (<see cref="SupervisedScript"/>); returns the supervisor's PID.</summary>
    public static int StartSupervised(
        IReadOnlyList<string> argv, string netnsPath, string cgroupPath, string logPath, string pidFile,
        IEnumerable<KeyValuePair<string, string>> env)
    {
        if (argv.Count == 0)
        {
            throw new LabException("empty command; give the program to run");
        }
        Directory.CreateDirectory(Path.GetDirectoryName(pidFile)!);
        return Start([SupervisedScript, "mesh-lab", cgroupPath, logPath, netnsPath, pidFile, .. argv], argv[0], logPath, env);
    }

    /// <summary>Starts a long-running process with stdout/stderr appended to <paramref name="logPath"/>; returns its PID.</summary>
    public static int StartDetached(
        IReadOnlyList<string> argv, string netnsPath, string cgroupPath, string logPath,
        IEnumerable<KeyValuePair<string, string>> env)
    {
        if (argv.Count == 0)
        {
            throw new LabException("empty command; give the program to run");
        }
        return Start([DetachedScript, "mesh-lab", cgroupPath, logPath, netnsPath, .. argv], argv[0], logPath, env);
    }

    private static int Start(IReadOnlyList<string> script, string program, string logPath, IEnumerable<KeyValuePair<string, string>> env)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(logPath)!);
        // SIGHUP back to its default first: a shell cannot trap a signal that was ignored when it started, and a lab
        // run under nohup (or any parent ignoring SIGHUP) would leave the supervisor deaf to the restart it is sent.
        // Then setsid: the child of Process.Start is no process group leader, so setsid makes it a session leader in
        // place (no fork): the PID returned stays the shell's.
        var psi = new ProcessStartInfo("/usr/bin/env") { UseShellExecute = false };
        psi.ArgumentList.Add("--default-signal=HUP");
        psi.ArgumentList.Add("setsid");
        psi.ArgumentList.Add("/bin/sh");
        psi.ArgumentList.Add("-c");
        foreach (var a in script)
        {
            psi.ArgumentList.Add(a);
        }
        foreach (var (k, v) in env)
        {
            psi.Environment[k] = v;
        }
        try
        {
            using var p = Process.Start(psi) ?? throw new LabException($"cannot start {program}");
            return p.Id;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new LabException($"cannot start {program}: {e.Message}", e);
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
