using System.Text.RegularExpressions;
using Mesh.Lab.Runtime;
using Mesh.Tests.Common.Lab;

namespace Mesh.Tests.Unit.KindConfig;

/// <summary>
/// kind-config/*.sh cannot run here (no kind binary): bash parses them, shellcheck (scripts/deps.sh installs it) lints
/// them, and the steps kind-test.sh runs are the E2E tests' steps.
/// </summary>
public sealed partial class KindTestScriptTests
{
    private static readonly string Dir = Path.Combine(RepoPaths.Root, "kind-config");

    public static TheoryData<string> Scripts() => [.. Directory.GetFiles(Dir, "*.sh").Select(Path.GetFileName).OfType<string>()];

    [Theory]
    [MemberData(nameof(Scripts))]
    public async Task Script_BashNoExec_Parses(string script)
    {
        var (exit, output) = await RunAsync("bash", "-n", Path.Combine(Dir, script));

        Assert.True(exit == 0, output);
    }

    [Theory]
    [MemberData(nameof(Scripts))]
    public async Task Script_Shellcheck_NoFindings(string script)
    {
        var (exit, output) = await RunAsync("shellcheck", "--severity=style", Path.Combine(Dir, script));

        Assert.True(exit == 0, output);
    }

    [Fact]
    public void KindTest_Steps_EachIsAStepOfTheE2ETestsAndEveryStepRuns()
    {
        var script = File.ReadAllText(Path.Combine(Dir, "kind-test.sh"));
        var run = StepCall().Matches(script).Select(m => m.Groups[1].Value).ToList();
        var defined = Directory.GetFiles(Path.Combine(RepoPaths.Root, "tests", "Mesh.Tests.E2E"), "*.cs")
            .SelectMany(f => StepTrait().Matches(File.ReadAllText(f)).Select(m => m.Groups[1].Value)).Distinct().Order().ToList();

        Assert.Equal(["mtls", "strict", "split"], run);
        Assert.Equal(run.Order(), defined);
        Assert.Contains("set -euo pipefail", script);
        Assert.Contains("trap cleanup EXIT", script);
    }

    private static async Task<(int Exit, string Output)> RunAsync(string file, params string[] args)
    {
        var r = await Shell.RunAsync(file, args, timeout: TimeSpan.FromMinutes(1));
        return (r.ExitCode, r.Stdout + r.Stderr);
    }

    [GeneratedRegex(@"^e2e (\w+)$", RegexOptions.Multiline)]
    private static partial Regex StepCall();

    [GeneratedRegex(@"\[Trait\(""Step"", ""(\w+)""\)\]")]
    private static partial Regex StepTrait();
}
