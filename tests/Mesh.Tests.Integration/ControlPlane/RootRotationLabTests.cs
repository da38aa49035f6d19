using System.Text.RegularExpressions;
using Mesh.Lab.Launch;
using Mesh.Tests.Common;
using Mesh.Tests.Common.Lab;
using Xunit.Abstractions;

namespace Mesh.Tests.Integration.ControlPlane;

/// <summary>
/// Automatic root rotation on a 2-node lab (root, lab): a root of 75 s rotated at 2/3 of its life, a 5 s overlap,
/// workload certificates of 15 s. Across two full rotations the client on node1 sends an HTTP request to the server on
/// node2 every 10 ms (a new connection each) while one upload runs the whole time; the ztunnels' logs show the bundle
/// they hold.
/// </summary>
public sealed partial class RootRotationLabTests(ITestOutputHelper output)
{
    [RootFact]
    public async Task Rotation_TwoFullRotationsUnderTraffic_NoRequestFailsTransferIntactAndBundlesMoveOldOldNewNew()
    {
        await using var lab = await LabFixture.StartAsync(DataPath.MeshLabYaml.TwoNodes);
        await lab.StartMeshAsync(certTtl: TimeSpan.FromSeconds(15),
            rootRotation: new LabRootRotation(TimeSpan.FromSeconds(75), 2.0 / 3, TimeSpan.FromSeconds(5)));
        await lab.WaitForListenerAsync("server", 8080);
        await lab.WaitForCaptureAsync("client");
        var server = lab.Pod("server").Ip;
        string ControlPlaneLog() => lab.ProcessLog(LabMesh.ControlPlaneLog);
        string Report() => $"control plane:\n{ControlPlaneLog()}\nztunnels:\n{lab.ZtunnelLogs()}";
        int Completed() => Regex.Count(ControlPlaneLog(), @"root rotation phase Steady \(was Issuing\)");
        List<string[]> HeldBy(string node) => HeldBundles.Of(lab, node);
        // Done when the second rotation has ended and each ztunnel took the bundle that ends it (a push after the CA's log line).
        bool Done() => Completed() >= 2 && lab.State.Nodes.All(n => HeldBy(n.Name).Count >= 5);

        var requests = await RequestLoop.StartAsync(lab, "client", "server");
        // 160 MiB at 2 MiB/s: one tunnel open through about 80 s of the rotations.
        var transfer = Task.Run(() => lab.Lab.ExecInPodAsync("client", ["bash", "-c",
            $"head -c 167772160 /dev/urandom | tee >(sha256sum | cut -d' ' -f1 > /tmp/mesh-root-{lab.Name}.sha) | " +
            $"curl -sS -m 200 --limit-rate 2M -T - http://{server}:8080/rotation; sleep 0.5; echo; cat /tmp/mesh-root-{lab.Name}.sha; rm -f /tmp/mesh-root-{lab.Name}.sha"], timeout: TimeSpan.FromMinutes(4)));
        string summary;
        int sent;
        try
        {
            await LabFixture.WaitUntilAsync(() => Done() || requests.Ended, TimeSpan.FromSeconds(200), () => "two rotations did not complete; " + Report());
        }
        finally
        {
            (summary, sent, var printed) = await requests.StopAsync();
            output.WriteLine(printed);
        }
        var moved = await transfer;

        Assert.Matches(@"^requests \d+ failed 0$", summary);
        Assert.True(sent > 1000, summary);
        Assert.True(moved.Ok, moved.Stderr + Report());
        var lines = moved.Stdout.Trim().Split('\n');
        Assert.Contains("\"bodyBytes\":167772160", lines[0], StringComparison.Ordinal);
        Assert.Contains($"\"bodySha256\":\"{lines[^1].Trim()}\"", lines[0], StringComparison.Ordinal);
        foreach (var node in lab.State.Nodes)
        {
            var log = lab.ProcessLog(LabMesh.ZtunnelLog(node.Name));
            Assert.DoesNotContain("refused the control plane's bundle", log, StringComparison.Ordinal);
            var held = HeldBy(node.Name);
            // old, old+new, new, new+newer, newer: each root joins beside the one before it, then stands alone.
            Assert.True(held.Count >= 5, $"{node.Name} held {held.Count} bundles: {string.Join(" | ", held.Select(h => string.Join(",", h)))}\n{Report()}");
            var last5 = held[..5];
            Assert.Single(last5[0]);
            Assert.Equal([last5[0][0], last5[2][0]], last5[1]);
            Assert.Single(last5[2]);
            Assert.Equal([last5[2][0], last5[4][0]], last5[3]);
            Assert.Single(last5[4]);
            Assert.Equal(3, last5.SelectMany(h => h).Distinct().Count());
            output.WriteLine($"{node.Name}: {string.Join(" -> ", held.Select(h => string.Join("+", h.Select(f => f[..12]))))}");
        }
        output.WriteLine($"{summary}; transfer {lines[0]}");
    }
}
