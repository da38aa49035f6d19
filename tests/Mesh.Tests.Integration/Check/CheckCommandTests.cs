using Mesh.Cli.Check;
using Mesh.Tests.Common;
using Mesh.Tests.Integration.Capture;

namespace Mesh.Tests.Integration.Check;

/// <summary>`meshctl check` on the real kernel: passes as root, fails with fixes without capabilities.</summary>
public sealed class CheckCommandTests
{
    [RootFact]
    public void Run_AsRoot_EveryCheckPasses()
    {
        using var output = new StringWriter();

        var code = CheckCommand.Run(output);

        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(code == 0, output.ToString());
        Assert.Equal(8, lines.Count(l => l.StartsWith("ok    ", StringComparison.Ordinal)));
        Assert.DoesNotContain(lines, l => l.StartsWith("FAIL", StringComparison.Ordinal));
    }

    [RootFact]
    public void Run_WithoutCapabilities_FailsWithWhatToDo()
    {
        var meshctl = Path.Combine(AppContext.BaseDirectory, "meshctl");

        var (code, output) = Shell.RunWithCode(
            $"setpriv --inh-caps=-all --bounding-set=-all {meshctl} check"); // root without capabilities

        Assert.True(code == 1, output);
        Assert.Contains("FAIL  capabilities: missing CAP_BPF, CAP_NET_ADMIN, CAP_SYS_ADMIN -> run as root", output);
        Assert.Contains("FAIL  bpf syscall: loading a trivial program failed: EPERM -> run as root", output);
        Assert.Contains("ok    BTF:", output);
    }
}
