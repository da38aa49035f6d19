using Mesh.Lab.Launch;
using Mesh.Tests.Common;
using Mesh.Tests.Common.Lab;
using Xunit.Abstractions;

namespace Mesh.Tests.Integration.Check;

/// <summary>
/// The real meshctl binary's <c>check --control-plane</c> against a lab's running control plane (root, lab), run
/// from a node as an operator on that node would: the anchors, their expiry, the rotation phase, and a warning when
/// the anchor nears its end with nothing replacing it.
/// </summary>
public sealed class TrustCheckLabTests(ITestOutputHelper output)
{
    private static async Task<(int Code, string[] Lines)> CheckAsync(LabFixture lab)
    {
        // No kubeconfig: the cluster part is skipped, as on a lab.
        var r = await lab.Lab.ExecInNodeAsync("node1",
            ["env", "-u", "KUBECONFIG", RepoPaths.Meshctl, "check", "--cluster-only", "--control-plane", $"http://{lab.State.Fabric.Ip}:15014"]);
        return (r.ExitCode, (r.Stdout + r.Stderr).Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [RootFact]
    public async Task Check_HealthyMesh_AnchorExpiryAndPhaseAllOk()
    {
        await using var lab = await LabFixture.StartAsync(DataPath.MeshLabYaml.TwoNodes);
        await lab.StartMeshAsync();

        var (code, lines) = await CheckAsync(lab);

        var text = string.Join('\n', lines);
        output.WriteLine(text);
        Assert.True(code == 0, text + lab.ProcessLog(LabMesh.ControlPlaneLog));
        var anchor = Assert.Single(lines, l => l.StartsWith("ok    trust: anchor signing CN=", StringComparison.Ordinal));
        Assert.Matches(@"\(sha256 [0-9a-f]{16}…\) expires \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ, in 36(49|50) days$", anchor);
        Assert.Contains(lines, l => l.StartsWith("ok    rotation: phase steady since ", StringComparison.Ordinal) && l.Contains(", next rotation ", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.StartsWith("WARN", StringComparison.Ordinal) || l.StartsWith("FAIL", StringComparison.Ordinal));
    }

    [RootFact]
    public async Task Check_AnchorNearExpiryRotationOff_WarnsWithWhatToRunAndStillPasses()
    {
        await using var lab = await LabFixture.StartAsync(DataPath.MeshLabYaml.TwoNodes);
        await lab.StartMeshAsync(rootRotation: new LabRootRotation(TimeSpan.FromHours(1), 0, TimeSpan.FromMinutes(5)));

        var (code, lines) = await CheckAsync(lab);

        var text = string.Join('\n', lines);
        output.WriteLine(text);
        Assert.True(code == 0, text + lab.ProcessLog(LabMesh.ControlPlaneLog));
        var warn = Assert.Single(lines, l => l.StartsWith("WARN  trust: anchor signing CN=", StringComparison.Ordinal));
        Assert.Matches(@"expires .*, in (59|60) minutes -> rotate it before it expires: `controlplane rotate-root`", warn);
        Assert.Contains(lines, l => l.StartsWith("ok    rotation: phase steady since ", StringComparison.Ordinal) && l.EndsWith("(automatic rotation off)", StringComparison.Ordinal));
    }
}
