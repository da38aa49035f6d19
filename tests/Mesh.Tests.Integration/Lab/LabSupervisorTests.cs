using System.Runtime.InteropServices;
using Mesh.Tests.Common;
using Mesh.Tests.Common.Lab;

namespace Mesh.Tests.Integration.Lab;

/// <summary>The lab's kubelet for node processes (the supervisor) as an operator's shell may start it.</summary>
public sealed class LabSupervisorTests
{
    private const string OneNode = """
        kind: Namespace
        metadata: {name: plain}
        ---
        kind: Pod
        metadata: {name: idle, namespace: plain}
        spec: {nodeName: node1, containers: [{command: [sleep, infinity]}]}
        """;

    private const int SigHup = 1;
    private static readonly nint SigIgn = 1;

    [DllImport("libc", EntryPoint = "signal")]
    private static extern nint SetSignal(int signal, nint handler);

    [RootFact]
    public async Task Restart_StartedWhileSigHupIgnored_SupervisorStillStartsANewChild()
    {
        await using var lab = await LabFixture.StartAsync(OneNode);
        // As under `nohup make test` (where both ZtunnelRestartTests failed): the supervisor is started by a process that
        // ignores SIGHUP, and a shell cannot trap a signal ignored when it started.
        var before = SetSignal(SigHup, SigIgn);
        Mesh.Lab.Runtime.LabProcess process;
        try
        {
            process = lab.Lab.StartSupervisedNodeProcess("node1", ["sleep", "infinity"], "sleeper");
        }
        finally
        {
            SetSignal(SigHup, before);
        }
        var first = process.ChildPid();
        await LabFixture.WaitUntilAsync(() => Task.FromResult((first = process.ChildPid()) is not null), TimeSpan.FromSeconds(10), "the supervisor did not start its child");

        var second = await lab.Lab.RestartProcessAsync(process);

        Assert.NotEqual(first, second);
    }

    /// <summary>
    /// A pod, a supervised node process and its child each run in a session of their own, never the caller's: as a container
    /// runtime starts them, and so in their own scheduler autogroup. A ztunnel left in the caller's session shared an
    /// autogroup with every `lab exec` (the benchmark's wrk) and the mesh path cost about 25% more CPU per request at saturation.
    /// </summary>
    [RootFact]
    public async Task StartedProcesses_EachLeadASessionOfTheirOwn_NotTheCallers()
    {
        await using var lab = await LabFixture.StartAsync(OneNode);
        var process = lab.Lab.StartSupervisedNodeProcess("node1", ["sleep", "infinity"], "sleeper");
        int? child = null;
        await LabFixture.WaitUntilAsync(() => Task.FromResult((child = process.ChildPid()) is not null), TimeSpan.FromSeconds(10), "the supervisor did not start its child");
        var pod = lab.Pod("idle").Pid ?? throw new InvalidOperationException("the pod 'idle' has no PID in the lab state");
        var caller = Session(Environment.ProcessId);

        Assert.Equal(process.Pid, Session(process.Pid));
        Assert.Equal(process.Pid, Session(child!.Value));
        Assert.Equal(pod, Session(pod));
        Assert.NotEqual(caller, Session(process.Pid));
        Assert.NotEqual(caller, Session(pod));
    }

    /// <summary>The session id of a process: /proc/PID/stat's sixth field (after "pid (comm) state ppid pgrp").</summary>
    private static int Session(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return int.Parse(fields[3], System.Globalization.CultureInfo.InvariantCulture);
    }
}
