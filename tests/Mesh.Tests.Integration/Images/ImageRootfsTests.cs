using Mesh.Tests.Common;
using Mesh.Tests.Common.Charts;

namespace Mesh.Tests.Integration.Images;

/// <summary>
/// Each image's tree (FROM scratch + the staged rootfs) holds everything its binary loads: run as the Dockerfile
/// says, without the machine's libraries, as a container would be.
/// </summary>
public sealed class ImageRootfsTests
{
    [RootFact]
    public async Task ControlPlane_BenchInsideTheImage_SignsAndServesDiscoveryAsNonRoot()
    {
        using var image = await ImageRootfs.StageAsync("controlplane");

        // bench starts the real control plane (a fresh ECDSA root through OpenSSL, Kestrel TLS on loopback) and a
        // discovery client that receives the state over HTTP/2 + TLS: the CA and discovery paths of the image.
        var (exit, output) = await image.RunEntrypointAsync("bench", "--workloads", "10", "--clients", "1");

        Assert.True(exit == 0, output);
        Assert.Contains("1 proxies connected and received the full state", output);
        Assert.False(File.Exists(Path.Combine(image.Path, "usr", "bin", "sh")), "the image has no shell");
    }

    [RootFact]
    public async Task Ztunnel_StartChecksWithTheChartsCapabilities_LoadLibbpfAndEveryProgramKind()
    {
        var chart = await RenderedChart.Default;
        var container = RenderedChart.Container(chart.Ztunnel, "ztunnel");
        var capabilities = RenderedChart.Strings(container["securityContext"]!["capabilities"]!["add"]);
        Assert.Equal(0, (long)container["securityContext"]!["runAsUser"]!);
        using var image = await ImageRootfs.StageAsync("ztunnel");

        // Only the capabilities the DaemonSet grants. The capture host runs the start checks first. No sysfs is
        // mounted here (a container runtime mounts it and the chart adds the host's cgroups), so BTF and cgroup v2
        // fail and ztunnel exits instead of running.
        var (exit, output) = await image.RunEntrypointAsync(capabilities, "--pods-file", "/tmp/pods.json");

        Assert.Equal(1, exit);
        Assert.Contains("check ok    libbpf: libbpf.so.1 loaded", output);
        Assert.Contains("check ok    capabilities: CAP_BPF, CAP_NET_ADMIN, CAP_SYS_ADMIN", output);
        Assert.Contains("check ok    bpf syscall", output);
        Assert.Contains("check ok    cgroup programs", output);
        Assert.Contains("check ok    sk_assign", output);
        // The grant is real: one capability fewer and the check names it.
        var (_, withoutBpf) = await image.RunEntrypointAsync([.. capabilities.Where(c => c != "BPF")], "--pods-file", "/tmp/pods.json");
        Assert.Contains("check FAIL  capabilities", withoutBpf);
        Assert.True(File.Exists(Path.Combine(image.Path, "app", "bpf", "capture_connect.bpf.o")), output);
        Assert.True(File.Exists(Path.Combine(image.Path, "app", "bpf", "capture_tc.bpf.o")), output);
    }

    [RootFact]
    public async Task Ztunnel_InstallCniContainerAsTheChartRendersIt_PutsAHostRunnableMeshCniIntoTheChain()
    {
        var chart = await RenderedChart.Default;
        var container = RenderedChart.Container(chart.Ztunnel, "install-cni");
        Assert.Empty(RenderedChart.Strings(container["securityContext"]!["capabilities"]!["add"]));
        using var image = await ImageRootfs.StageAsync("ztunnel");
        var host = System.IO.Directory.CreateTempSubdirectory("mesh-install-cni-host-").FullName;
        try
        {
            var bin = System.IO.Directory.CreateDirectory(Path.Combine(host, "bin")).FullName;
            var conf = System.IO.Directory.CreateDirectory(Path.Combine(host, "net.d")).FullName;
            File.WriteAllText(Path.Combine(conf, "10-kindnet.conflist"), """
                {"cniVersion": "0.3.1", "name": "kindnet", "plugins": [
                  {"type": "ptp", "ipMasq": false, "ipam": {"type": "host-local", "ranges": [[{"subnet": "10.244.0.0/24"}]]}},
                  {"type": "portmap", "capabilities": {"portMappings": true}}]}
                """);
            // The hostPath volumes at the container's mount paths, the container's command and args, no capability.
            var mounts = container["volumeMounts"]!.AsArray().ToDictionary(m => m!["name"]!.ToString(), m => m!["mountPath"]!.ToString());

            var (exit, output) = await image.RunContainerAsync([], RenderedChart.Strings(container["command"]),
                new Dictionary<string, string> { [bin] = mounts["cni-bin"], [conf] = mounts["cni-conf"] }, [.. RenderedChart.Strings(container["args"]), "--once"]);

            Assert.True(exit == 0, output);
            var chained = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(conf, "10-kindnet.conflist")))!["plugins"]!.AsArray();
            Assert.Equal(["ptp", "portmap", "mesh-cni"], chained.Select(p => p!["type"]!.ToString()));
            Assert.Equal("/var/run/mesh/cni.sock", chained[^1]!["nodeAgentSocket"]!.ToString());
            // The copy runs on the host as a runtime execs it, with nothing of .NET beside it (Native AOT).
            var (versionExit, version) = Mesh.Tests.Integration.Capture.Shell.RunWithCode($"env -i CNI_COMMAND=VERSION {Path.Combine(bin, "mesh-cni")}");
            Assert.True(versionExit == 0, version);
            Assert.Contains("supportedVersions", version);
        }
        finally
        {
            System.IO.Directory.Delete(host, recursive: true);
        }
    }

    [RootFact]
    public async Task Waypoint_NoControlPlaneInsideTheImage_ExitsWithWhatToSet()
    {
        using var image = await ImageRootfs.StageAsync("waypoint");

        var (exit, output) = await image.RunEntrypointAsync();

        Assert.Equal(2, exit);
        Assert.Contains("--control-plane (or $MESH_CONTROL_PLANE) is required", output);
    }
}
