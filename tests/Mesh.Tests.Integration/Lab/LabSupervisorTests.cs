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
}
