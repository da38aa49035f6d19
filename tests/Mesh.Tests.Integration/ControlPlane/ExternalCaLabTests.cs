using System.Text.RegularExpressions;
using Mesh.Lab.Launch;
using Mesh.Tests.Common;
using Mesh.Tests.Common.Lab;
using Xunit.Abstractions;

namespace Mesh.Tests.Integration.ControlPlane;

/// <summary>
/// The control plane signing with an intermediate from the user's own root, from files mounted as the kubelet mounts
/// a cert-manager Secret (root, lab), with 10 s workload certificates. The intermediate is replaced at runtime while
/// the client on node1 sends a request to the server on node2 every 10 ms.
/// </summary>
public sealed partial class ExternalCaLabTests(ITestOutputHelper output)
{
    private const string First = "CN=Lab Intermediate 1, O=mesh-test";
    private const string Second = "CN=Lab Intermediate 2, O=mesh-test";

    [RootFact]
    public async Task Replace_IntermediateFilesAtRuntime_NewCertificatesChainToTheNewOneRootKeptNoRequestFails()
    {
        using var root = TestCa.Create("Lab User Root");
        using var stray = TestCa.Create("Stray Root");
        var (cert1, key1) = root.IssueIntermediatePem("Lab Intermediate 1");
        var (cert2, key2) = root.IssueIntermediatePem("Lab Intermediate 2");
        var (strayCert, strayKey) = stray.IssueIntermediatePem("Stray Intermediate");
        await using var lab = await LabFixture.StartAsync(DataPath.MeshLabYaml.TwoNodes);
        var ca = new MountedCaFolder(Path.Combine(lab.State.StateDir, "user-ca"));
        await ca.WriteAsync(cert1, key1, root.RootPem);
        await lab.StartMeshAsync(certTtl: TimeSpan.FromSeconds(10), controlPlaneArgs: ["--ca-cert", ca.Cert, "--ca-key", ca.Key, "--ca-bundle", ca.Roots]);
        await lab.WaitForListenerAsync("server", 8080);
        await lab.WaitForCaptureAsync("client");
        string ControlPlaneLog() => lab.ProcessLog(LabMesh.ControlPlaneLog);
        string ZtunnelLog(string node) => lab.ProcessLog(LabMesh.ZtunnelLog(node));
        string Report() => $"control plane:\n{ControlPlaneLog()}\nztunnels:\n{lab.ZtunnelLogs()}";
        var bundle = await File.ReadAllTextAsync(LabMesh.TrustBundle(lab.State));
        Assert.Equal(root.RootPem, bundle);

        var loop = await RequestLoop.StartAsync(lab, "client", "server");
        string summary;
        int sent;
        var swappedAt = new Dictionary<string, int>();
        try
        {
            await LabFixture.WaitUntilAsync(() => (loop.Ended || lab.State.Nodes.All(n => ZtunnelLog(n.Name).Contains($"issued by '{First}'", StringComparison.Ordinal))),
                TimeSpan.FromSeconds(30), () => "the ztunnels hold no certificate from the first intermediate; " + Report());

            // An intermediate from someone else's root is refused; the first one keeps signing.
            await ca.WriteAsync(strayCert, strayKey, root.RootPem);
            await LabFixture.WaitUntilAsync(() => (ControlPlaneLog().Contains("does not chain to the roots given", StringComparison.Ordinal)),
                TimeSpan.FromSeconds(20), () => "the stray intermediate was not refused; " + Report());

            await ca.WriteAsync(cert2, key2, root.RootPem);
            await LabFixture.WaitUntilAsync(() => (ControlPlaneLog().Contains($"ca: '{Second}'", StringComparison.Ordinal)),
                TimeSpan.FromSeconds(20), () => "the second intermediate was not taken; " + Report());
            foreach (var n in lab.State.Nodes)
            {
                swappedAt[n.Name] = ZtunnelLog(n.Name).Length;
            }
            // The 10 s certificates renew from the new intermediate; then traffic runs on them a while.
            await LabFixture.WaitUntilAsync(() => (loop.Ended ||
                    lab.State.Nodes.All(n => ZtunnelLog(n.Name)[swappedAt[n.Name]..].Contains($"issued by '{Second}'", StringComparison.Ordinal))),
                TimeSpan.FromSeconds(40), () => "the ztunnels did not renew from the second intermediate; " + Report());
            var renewed = loop.Sent;
            await LabFixture.WaitUntilAsync(() => (loop.Ended || loop.Sent >= renewed + 200), TimeSpan.FromSeconds(30), () => "requests stalled; " + Report());
        }
        finally
        {
            (summary, sent, var printed) = await loop.StopAsync();
            output.WriteLine(printed);
        }

        Assert.Matches(@"^requests \d+ failed 0$", summary);
        Assert.True(sent >= 200, summary);
        var log = ControlPlaneLog();
        Assert.Contains($"replacement refused, '{First}' keeps signing", log);
        Assert.Contains($"signs from now on, replacing '{First}'", log);
        Assert.DoesNotContain("Stray Intermediate", string.Concat(lab.State.Nodes.Select(n => ZtunnelLog(n.Name))));
        // The bundle is the user's root throughout: on disk, and in what every ztunnel was sent.
        Assert.Equal(bundle, await File.ReadAllTextAsync(LabMesh.TrustBundle(lab.State)));
        foreach (var n in lab.State.Nodes)
        {
            var held = HeldBundles.Of(lab, n.Name).Select(h => string.Join(",", h)).Distinct().ToList();
            Assert.True(held.Count <= 1 && !held.Any(h => h.Contains(',', StringComparison.Ordinal)), $"{n.Name} held {string.Join(" | ", held)}");
            var after = ZtunnelLog(n.Name)[swappedAt[n.Name]..];
            output.WriteLine($"{n.Name}: after the swap {Regex.Count(after, $"issued by '{Regex.Escape(Second)}'")} certificate(s) from the second intermediate, " +
                $"{Regex.Count(after, $"issued by '{Regex.Escape(First)}'")} from the first");
        }
        output.WriteLine(summary);
    }
}
