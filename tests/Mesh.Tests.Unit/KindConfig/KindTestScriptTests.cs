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

    [Fact]
    public async Task KindTest_NoKindOnPath_FailsSayingWhatToInstallBeforeMakingAnything()
    {
        // A PATH of exactly what the script runs before its kind check (docker is found, kind is not, on any machine):
        // it must stop at its preflight, before it makes a cluster or a folder.
        var bin = Directory.CreateTempSubdirectory("mesh-kind-path-");
        try
        {
            foreach (var tool in new[] { "dirname", "date", "sed", "docker" })
            {
                var found = new[] { "/usr/bin", "/bin" }.Select(d => Path.Combine(d, tool)).First(File.Exists);
                File.CreateSymbolicLink(Path.Combine(bin.FullName, tool), found);
            }
            var r = await Shell.RunAsync("/usr/bin/env", ["-i", $"PATH={bin.FullName}", "HOME=/nonexistent", "/bin/bash", Path.Combine(Dir, "kind-test.sh")], timeout: TimeSpan.FromMinutes(1));

            Assert.Equal(1, r.ExitCode);
            Assert.Equal("kind-test: kind is not on PATH: install kind v0.29 or later (https://kind.sigs.k8s.io/docs/user/quick-start/#installation)", r.Stderr.Trim());
            Assert.Equal("", r.Stdout);
        }
        finally
        {
            bin.Delete(recursive: true);
        }
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
