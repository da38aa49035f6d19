using System.Text.RegularExpressions;
using Mesh.ControlPlane.Ca;
using Mesh.Lab.Launch;
using Mesh.Tests.Common;
using Mesh.Tests.Common.Lab;
using Xunit.Abstractions;

namespace Mesh.Tests.Integration.ControlPlane;

/// <summary>
/// The control plane stopped in the middle of an automatic root rotation and started again on the same state folder
/// (root, lab): a root of 72 s rotated at 1/4 of its life, a 15 s overlap, 30 s workload certificates. The client on
/// node1 sends a request to the server on node2 every 10 ms throughout.
/// </summary>
public sealed partial class ControlPlaneRestartLabTests(ITestOutputHelper output)
{
    [GeneratedRegex(@"root rotation resumes in phase Published \(since (?<since>[^)]+)\)")]
    private static partial Regex ResumedPublished();

    [RootFact]
    public async Task Restart_MidRotation_ResumesThePhaseCompletesAndNoRequestFails()
    {
        await using var lab = await LabFixture.StartAsync(DataPath.MeshLabYaml.TwoNodes);
        await lab.StartMeshAsync(certTtl: TimeSpan.FromSeconds(30),
            rootRotation: new LabRootRotation(TimeSpan.FromSeconds(72), 0.25, TimeSpan.FromSeconds(15)));
        await lab.WaitForListenerAsync("server", 8080);
        await lab.WaitForCaptureAsync("client");
        var recordFile = Path.Combine(LabMesh.MeshDir(lab.State), "cp", "ca", "rotation.json");
        string ControlPlaneLog() => lab.ProcessLog(LabMesh.ControlPlaneLog);
        string Report() => $"control plane:\n{ControlPlaneLog()}\nztunnels:\n{lab.ZtunnelLogs()}";
        List<string[]> HeldBy(string node) => HeldBundles.Of(lab, node);

        var loop = await RequestLoop.StartAsync(lab, "client", "server");
        string summary;
        int sent, whileDown;
        RotationRecord published;
        string original;
        try
        {
            await LabFixture.WaitUntilAsync(() => (RotationRecord.Read(recordFile)?.Phase == RotationPhase.Published || loop.Ended),
                TimeSpan.FromSeconds(60), () => "the rotation did not publish a new root; " + Report());
            published = RotationRecord.Read(recordFile)!;
            original = HeldBy("node1")[0][0];

            await LabMesh.StopControlPlaneAsync(lab.Lab, TimeSpan.FromSeconds(10));
            var downFrom = loop.Sent;
            // With the control plane gone, the ztunnels serve on with the certificates and bundle they hold.
            await LabFixture.WaitUntilAsync(() => (loop.Sent >= downFrom + 200 || loop.Ended), TimeSpan.FromSeconds(30),
                () => "requests stalled while the control plane was down; " + Report());
            whileDown = loop.Sent - downFrom;
            LabMesh.StartControlPlaneAgain(lab.Lab);

            await LabFixture.WaitUntilAsync(() => (ResumedPublished().IsMatch(ControlPlaneLog())), TimeSpan.FromSeconds(30),
                () => "the restarted control plane did not resume the published phase; " + Report());
            // Done when the old root left the bundle and each ztunnel (reconnected) holds the new root alone.
            await LabFixture.WaitUntilAsync(() => (loop.Ended ||
                    (ControlPlaneLog().Contains("root rotation phase Steady (was Issuing)", StringComparison.Ordinal) &&
                     lab.State.Nodes.All(n => HeldBy(n.Name) is { Count: > 0 } h && h[^1] is [var only] && only != original))),
                TimeSpan.FromSeconds(120), () => "the rotation did not complete after the restart; " + Report());
        }
        finally
        {
            (summary, sent, var printed) = await loop.StopAsync();
            output.WriteLine(printed);
        }

        Assert.Matches(@"^requests \d+ failed 0$", summary);
        Assert.True(sent > 1000, summary);
        Assert.True(whileDown >= 200, $"{whileDown} requests while the control plane was down");
        var resumedSince = DateTimeOffset.Parse(ResumedPublished().Match(ControlPlaneLog()).Groups["since"].Value, System.Globalization.CultureInfo.InvariantCulture);
        // The overlap is timed from when the phase began before the restart, not from the restart.
        Assert.Equal(published.Since, resumedSince);
        foreach (var node in lab.State.Nodes)
        {
            var held = HeldBy(node.Name);
            var text = string.Join(" -> ", held.Select(h => string.Join("+", h.Select(f => f[..12]))));
            Assert.DoesNotContain("refused the control plane's bundle", lab.ProcessLog(LabMesh.ZtunnelLog(node.Name)), StringComparison.Ordinal);
            // old, old+new, new: the reconnected ztunnel got the whole bundle, whatever it missed while the control plane was down.
            Assert.True(held[0] is [var first] && first == original, text);
            Assert.Contains(held, h => h.Length == 2 && h[0] == original);
            Assert.True(held[^1] is [var last] && last != original && held.Any(h => h.Length == 2 && h[1] == last), text);
            output.WriteLine($"{node.Name}: {text}");
        }
        output.WriteLine($"{summary}; {whileDown} while the control plane was down; published since {published.Since:o}, resumed since {resumedSince:o}");
    }
}
