using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Mesh.Lab.Launch;
using Mesh.Lab.Runtime;
using Mesh.Tests.Common;
using Mesh.Tests.Common.Charts;
using Mesh.Tests.Common.Lab;
using Mesh.Tests.Integration.DataPath;

namespace Mesh.Tests.Integration.Images;

/// <summary>The control plane image serving a running lab (the lab's own control plane is not started).</summary>
public sealed partial class ImageContainerTests
{
    private const int ControlPlaneUser = 65532;

    [RootFact]
    public async Task ControlPlane_ImageOnContainerdServesALab_ZtunnelsGetCertificatesAndDiscoveryAndTunnelOverMtls()
    {
        await docker.ReadyAsync();
        var chart = await RenderedChart.Default;
        // ctr runs the image's USER: the chart's runAsUser/runAsGroup, checked here.
        var pod = RenderedChart.PodSpec(chart.ControlPlane)["securityContext"]!;
        var user = await docker.DockerAsync(["image", "inspect", "-f", "{{.Config.User}}", Image("controlplane")]);
        Assert.Equal($"{pod["runAsUser"]}:{pod["runAsGroup"]}", user.Stdout.Trim());
        Assert.Equal($"{ControlPlaneUser}:{ControlPlaneUser}", user.Stdout.Trim());

        // The chart's CA Secret (controlPlane.ca.existingSecret): a user-supplied root, mounted as the kubelet mounts a
        // secret volume (defaultMode 0440, group fsGroup).
        using var ca = new TempFolder();
        var rootPem = await WriteCaSecretAsync(ca.Path);
        var caFlags = RenderedChart.Flags(RenderedChart.Container(chart.ControlPlane, "controlplane"));

        await using var lab = await LabFixture.StartAsync(MeshLabYaml.TwoNodes);
        var id = ChartContainerRun.Id("controlplane-lab");
        var log = Path.Combine(lab.State.LogDir, LabMesh.ControlPlaneLog + ".log"); // where the lab's failure messages point
        var run = new ChartContainerRun(chart.ControlPlane, "controlplane") { NetworkNamespace = lab.State.Fabric.NetnsPath };
        run.Files["ca"] = ca.Path;
        string Logs() => "control plane container:\n" + (File.Exists(log) ? File.ReadAllText(log) : "(no log)") + "\n" + lab.ZtunnelLogs();
        try
        {
            await lab.StartMeshAsync(externalControlPlane: async (args, _) =>
            {
                // The lab's arguments (file registry, node tokens, the fabric's address, a state folder in the lab), plus the
                // chart's CA flags. The folders it reads and writes are bound at their paths and given to its user, as a pod's
                // volumes are by fsGroup.
                var state = args[args.ToList().IndexOf("--state-dir") + 1];
                var tokens = args[args.ToList().IndexOf("--node-tokens") + 1];
                Directory.CreateDirectory(state);
                await ChownAsync(state, tokens);
                run.ExtraBinds.AddRange([lab.State.ClusterDir, state, tokens]);
                var start = await docker.CtrAsync(run.CtrArguments("docker.io/" + Image("controlplane"), id, log, "/app/controlplane",
                    [.. args, "--ca-cert", caFlags["--ca-cert"], "--ca-key", caFlags["--ca-key"], "--ca-bundle", caFlags["--ca-bundle"]]));
                Assert.True(start.Ok, start.Stderr);
            });
            await lab.WaitForListenerAsync("server", 8080);
            await lab.WaitForCaptureAsync("client");
            await lab.WaitForCaptureAsync("server");

            var curl = await lab.CurlAsync("client", $"http://{lab.Pod("server").Ip}:8080/", "-m", "5", "-o", "/dev/null", "-w", "%{http_code}");

            Assert.True(curl.Stdout == "200", $"client -> server through the ztunnels of the containerized control plane: {curl.Stdout} {curl.Stderr}\n{Logs()}");
            var cp = File.ReadAllText(log);
            Assert.Contains("ca: signed spiffe://cluster.local/ns/app/sa/client for node node1", cp, StringComparison.Ordinal);
            Assert.Contains("ca: signed spiffe://cluster.local/ns/app/sa/server for node node2", cp, StringComparison.Ordinal);
            Assert.Contains("discovery: node node1 connected", cp, StringComparison.Ordinal);
            Assert.Contains("discovery: node node2 connected", cp, StringComparison.Ordinal);
            // The ztunnels trust the Secret's root (the bundle the container wrote into the lab) and the request was HBONE over mTLS.
            Assert.Equal(rootPem.Trim(), File.ReadAllText(LabMesh.TrustBundle(lab.State)).Trim());
            Assert.Contains("tunnel from spiffe://cluster.local/ns/app/sa/client", lab.ProcessLog(LabMesh.ZtunnelLog("node2")), StringComparison.Ordinal);
            // It ran as the chart's user with nothing of containerd's default capabilities.
            var task = (await docker.CtrAsync(["task", "ls"])).Stdout.Split('\n').Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Single(f => f.Length > 1 && f[0] == id);
            var status = File.ReadAllLines($"/proc/{task[1]}/status");
            Assert.Equal($"{ControlPlaneUser}", status.Single(l => l.StartsWith("Uid:", StringComparison.Ordinal)).Split('\t')[1]);
            Assert.Equal("0000000000000000", status.Single(l => l.StartsWith("CapEff:", StringComparison.Ordinal)).Split('\t')[1].Trim());
        }
        finally
        {
            await StopAsync(id);
        }
    }

    /// <summary>ca-cert.pem, ca-key.pem, root-cert.pem of a fresh root, readable by the control plane's group only; returns the root PEM.</summary>
    private static async Task<string> WriteCaSecretAsync(string dir)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=Mesh Image Test Root, O=mesh-test", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        using var root = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(30));
        var pem = root.ExportCertificatePem();
        File.WriteAllText(Path.Combine(dir, "ca-cert.pem"), pem);
        File.WriteAllText(Path.Combine(dir, "ca-key.pem"), key.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(Path.Combine(dir, "root-cert.pem"), pem);
        foreach (var (mode, paths) in new[] { ("0440", Directory.GetFiles(dir)), ("0750", new[] { dir }) })
        {
            var chmod = await Shell.RunAsync("chmod", [mode, .. paths]);
            Assert.True(chmod.Ok, chmod.Stderr);
        }
        var chown = await Shell.RunAsync("chown", ["-R", $":{ControlPlaneUser}", dir]);
        Assert.True(chown.Ok, chown.Stderr);
        return pem;
    }

    private static async Task ChownAsync(params string[] paths)
    {
        var r = await Shell.RunAsync("chown", ["-R", $"{ControlPlaneUser}:{ControlPlaneUser}", .. paths]);
        Assert.True(r.Ok, r.Stderr);
    }
}
