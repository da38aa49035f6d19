using System.CommandLine;
using Mesh.Native;

namespace Mesh.Cli.Check;

/// <summary>
/// <c>meshctl check</c>: whether this machine can run eBPF capture (the same checks ztunnel runs at
/// start). One line per check, with what to do when it fails; exit 1 when any fails.
/// </summary>
internal static class CheckCommand
{
    public static Command Create()
    {
        var cmd = new Command("check", "check the kernel and machine for what eBPF capture needs (bpf, BTF, cgroup v2, capabilities, TCX/clsact, sk_assign, libbpf)");
        cmd.SetAction(_ => Run(Console.Out));
        return cmd;
    }

    public static int Run(TextWriter output)
    {
        var results = CaptureChecker.Run();
        foreach (var result in results)
        {
            output.WriteLine(result.ToString());
        }
        var failed = results.Count(r => !r.Ok);
        output.WriteLine(failed == 0
            ? "capture: this machine can run ztunnel's eBPF capture"
            : $"capture: {failed} check(s) failed; fix them before running ztunnel");
        return failed == 0 ? 0 : 1;
    }
}
