using System.Net.Http;
using Mesh.Core.Discovery;
using Mesh.Core.Identity;
using Mesh.Lab.Launch;
using Mesh.Tests.Integration.DataPath;
using System.Text.Json.Nodes;
using Mesh.Lab.Runtime;
using Mesh.Tests.Common;
using Mesh.Tests.Common.Charts;
using Mesh.Tests.Common.ControlPlane;
using Mesh.Tests.Common.Lab;

namespace Mesh.Tests.Integration.Images;

/// <summary>
/// The images `make images` builds, run by real runtimes (the tests' own Docker and containerd) as the chart asks a
/// runtime to run them: the rendered pod spec's hostPID, securityContext, env and volumes become the `docker run` or
/// `ctr run` arguments (<see cref="ChartContainerRun"/>), so a capability, mount or user the chart forgot fails here.
/// ztunnel runs on containerd: Debian's Docker 20.10 does not know CAP_BPF, which the chart grants.
/// </summary>
public sealed partial class ImageContainerTests(ImageRuntimes docker) : IClassFixture<ImageRuntimes>
{
    [RootFact]
    public async Task ControlPlane_ChartSecurityContext_SignsAndServesDiscoveryAsNonRootOnAReadOnlyRoot()
    {
        await docker.ReadyAsync();
        var chart = await RenderedChart.Default;
        var run = new ChartContainerRun(chart.ControlPlane, "controlplane") { HostLoopback = true };
        using var ca = new TempFolder();
        run.Files["ca"] = ca.Path;
        // The cluster YAML, the node tokens and the CA state in one folder bound at the same path, owned by the
        // image's user (the chart's registry is Kubernetes; the file registry needs no API server).
        using var work = new TempFolder();
        var cluster = Directory.CreateDirectory(Path.Combine(work.Path, "cluster")).FullName;
        File.WriteAllText(Path.Combine(cluster, "cluster.yaml"), ControlPlane.TestControlPlane.Cluster);
        var tokens = Path.Combine(work.Path, "tokens.json");
        File.WriteAllText(tokens, """{"node1": "token-1"}""");
        var state = Path.Combine(work.Path, "state");
        Assert.True((await Shell.RunAsync("chown", ["-R", "65532:65532", work.Path])).Ok);
        run.ExtraBinds.Add(work.Path);
        var (port, monitoring) = (FreeLoopbackPort(), FreeLoopbackPort());
        var name = ChartContainerRun.Id("controlplane");
        var runArgs = run.DockerArguments(Image("controlplane"), name, ["--registry", "file", "--dir", cluster, "--node-tokens", tokens,
            "--state-dir", state, "--listen", $"127.0.0.1:{port}", "--monitoring", $"127.0.0.1:{monitoring}"]);
        runArgs.Insert(1, "--detach");
        var started = await docker.DockerAsync(runArgs);
        Assert.True(started.Ok, started.Stdout + started.Stderr);
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
            var ready = false;
            for (var deadline = DateTime.UtcNow.AddSeconds(60); !ready && DateTime.UtcNow < deadline; await Task.Delay(200))
            {
                try
                {
                    ready = (await http.GetAsync(new Uri($"http://127.0.0.1:{monitoring}/healthz/ready"))).IsSuccessStatusCode;
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                }
            }
            Assert.True(ready, $"the control plane never became ready:\n{await ContainerLogsAsync(name)}");

            // The CA: a CSR from node1's ztunnel for its pod's identity, signed under the root the container made.
            var client = new ControlPlaneClientOptions
            {
                Address = new Uri($"https://127.0.0.1:{port}"),
                TrustBundleFile = Path.Combine(state, "ca", "trust-bundle.pem"),
                Node = "node1",
                TokenFile = tokens,
                ServerIdentity = SpiffeId.Parse("spiffe://cluster.local/ns/mesh-system/sa/controlplane"),
            };
            using var caClient = new CaClient(client);
            var (key, der) = CsrFactory.Create("spiffe://cluster.local/ns/demo/sa/client");
            using var _ = key;
            var issued = await caClient.SignAsync(SpiffeId.Parse("spiffe://cluster.local/ns/demo/sa/client"), der, CancellationToken.None);
            Assert.Equal("spiffe://cluster.local/ns/demo/sa/client", SpiffeCertificate.Identity(issued.Leaf)?.ToString());
            var bundle = new TrustBundleFile(client.TrustBundleFile);
            Assert.True(TrustBundleFile.Validate(issued.Leaf, bundle.Roots, issued.Chain, null, out var problem), problem);

            // Discovery: node1's view of the file registry, streamed over HTTP/2 + TLS.
            using var discovery = new DiscoveryClient(new DiscoveryClientOptions { ControlPlane = client });
            using var stop = new CancellationTokenSource();
            var stream = discovery.RunAsync(stop.Token);
            var view = await ControlPlane.TestControlPlane.WaitFor(discovery, s => s.Workloads.Length == 2, TimeSpan.FromSeconds(30));
            Assert.Equal(["demo/server"], view.Services.Single().Endpoints.ToArray());
            await stop.CancelAsync();
            await stream;
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException)
        {
            throw new InvalidOperationException($"{e.Message}\n{await ContainerLogsAsync(name)}", e);
        }
        finally
        {
            await docker.DockerAsync(["rm", "--force", name]);
        }
        var user = await docker.DockerAsync(["image", "inspect", "-f", "{{.Config.User}}", Image("controlplane")]);
        Assert.Equal("65532:65532", user.Stdout.Trim());
    }

    [RootFact]
    public async Task Ztunnel_ChartPodSpecOnContainerd_PassesStartChecksPinsInTheHostsBpffsAndAnswersTheHostsCniPlugin()
    {
        await docker.ReadyAsync();
        var chart = await RenderedChart.Default;
        var spec = RenderedChart.Container(chart.Ztunnel, "ztunnel");
        Assert.Equal(0, (long)spec["securityContext"]!["runAsUser"]!); // ctr runs the image's USER: the same, checked below
        var node = ChartContainerRun.Id("imgtest");
        var run = new ChartContainerRun(chart.Ztunnel, "ztunnel");
        run.FieldRefs["spec.nodeName"] = node;
        using var socketDir = new TempFolder();
        using var token = new TempFolder();
        using var root = new TempFolder();
        using var logs = new TempFolder();
        using var testCa = TestCa.Create();
        File.WriteAllText(Path.Combine(token.Path, "token"), "not-a-real-token");
        File.WriteAllText(Path.Combine(root.Path, "root-cert.pem"), testCa.Root.ExportCertificatePem());
        var cniSocket = RenderedChart.Flags(spec)["--cni-socket"];
        run.HostPaths[RenderedChart.VolumeFor(chart.Ztunnel, spec, cniSocket).Volume["hostPath"]!["path"]!.ToString()] = socketDir.Path;
        run.Files["token"] = token.Path;
        run.Files["ca-root"] = root.Path;
        var id = ChartContainerRun.Id("ztunnel");
        var log = Path.Combine(logs.Path, "ztunnel.log");
        var pins = $"/sys/fs/bpf/mesh/{node}";
        var user = await docker.DockerAsync(["image", "inspect", "-f", "{{.Config.User}}", Image("ztunnel")]);
        Assert.Equal("0:0", user.Stdout.Trim());
        try
        {
            var start = await docker.CtrAsync(run.CtrArguments("docker.io/" + Image("ztunnel"), id, log, "/app/ztunnel"));
            Assert.True(start.Ok, start.Stderr);

            // No network (its own network namespace, no interface): discovery cannot connect, everything before it runs.
            string output = "";
            await LabFixture.WaitUntilAsync(async () =>
            {
                output = File.Exists(log) ? await File.ReadAllTextAsync(log) : "";
                return output.Contains("node agent: CNI socket", StringComparison.Ordinal) || output.Contains("crit:", StringComparison.Ordinal)
                    || output.Contains("check FAIL", StringComparison.Ordinal);
            }, TimeSpan.FromSeconds(60), "ztunnel in its container did not get as far as the node agent: " + output);

            Assert.DoesNotContain("check FAIL", output, StringComparison.Ordinal);
            Assert.DoesNotContain("crit:", output, StringComparison.Ordinal);
            foreach (var check in new[] { "libbpf", "capabilities", "BTF", "cgroup v2", "bpf syscall", "cgroup programs", "sk_assign" })
            {
                Assert.Contains($"check ok    {check}", output, StringComparison.Ordinal);
            }
            // Exactly the chart's capabilities, nothing of the runtime's default set.
            var task = (await docker.CtrAsync(["task", "ls"])).Stdout.Split('\n').Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Single(f => f.Length > 1 && f[0] == id);
            var capEff = File.ReadLines($"/proc/{task[1]}/status").Single(l => l.StartsWith("CapEff:", StringComparison.Ordinal)).Split('\t')[1].Trim();
            var decoded = await Shell.RunAsync("capsh", [$"--decode={capEff}"]);
            Assert.Equal("cap_net_admin,cap_sys_ptrace,cap_sys_admin,cap_bpf", decoded.Stdout.Trim().Split('=')[1]);
            // The pins are in the host's bpffs, where they outlive the container (the chart mounts it).
            Assert.Contains($"pinned in {pins}", output, StringComparison.Ordinal);
            Assert.True(Directory.Exists(pins), $"the pins are not in the host's bpffs at {pins} (the chart must mount /sys/fs/bpf):\n{output}");

            // The host's mesh-cni (as the runtime execs it) reaches ztunnel in its container through the socket mount.
            // ztunnel has no mesh state yet, so it cannot decide: the ADD fails with ztunnel's own answer, not "unreachable".
            var socket = Path.Combine(socketDir.Path, Path.GetFileName(cniSocket));
            Assert.True(File.Exists(socket), $"no CNI socket at {socket}:\n{output}");
            var cni = await Shell.RunAsync(Path.Combine(RepoPaths.Root, "artifacts", "publish", "Mesh.Cni", $"{RepoPaths.Configuration}_linux-x64", "mesh-cni"), [],
                stdin: $$$"""{"cniVersion":"1.0.0","name":"k8s-pod-network","type":"mesh-cni","nodeAgentSocket":"{{{socket}}}","prevResult":{"cniVersion":"1.0.0","ips":[{"address":"198.18.9.9/24"}]}}""",
                timeout: TimeSpan.FromSeconds(30),
                env: new Dictionary<string, string>
                {
                    ["CNI_COMMAND"] = "ADD", ["CNI_CONTAINERID"] = "imagetest", ["CNI_NETNS"] = "/proc/self/ns/net", ["CNI_IFNAME"] = "eth0",
                    ["CNI_PATH"] = "/usr/lib/cni", ["CNI_ARGS"] = "K8S_POD_NAMESPACE=app;K8S_POD_NAME=web;K8S_POD_UID=0d7d3b1e-0000-4000-8000-000000000001",
                });
            Assert.Equal(1, cni.ExitCode);
            Assert.Contains("ztunnel", cni.Stdout, StringComparison.Ordinal);
            Assert.DoesNotContain("unreachable", cni.Stdout, StringComparison.OrdinalIgnoreCase);

            // The pins outlive ztunnel by design; `ztunnel uninstall` in the same image and spec removes them, as a
            // user's cleanup (a DaemonSet's preStop or a one-off pod) does.
            await StopAsync(id);
            Assert.True(Directory.Exists(pins), "the pins did not outlive ztunnel");
            var uninstall = ChartContainerRun.Id("uninstall");
            var ulog = Path.Combine(logs.Path, "uninstall.log");
            try
            {
                var started = await docker.CtrAsync(run.CtrArguments("docker.io/" + Image("ztunnel"), uninstall, ulog, "/app/ztunnel", ["uninstall", "--instance", node]));
                Assert.True(started.Ok, started.Stderr);
                await LabFixture.WaitUntilAsync(() => Task.FromResult(!Directory.Exists(pins)), TimeSpan.FromSeconds(30),
                    $"{pins} outlived ztunnel uninstall: " + (File.Exists(ulog) ? File.ReadAllText(ulog) : "(no log)"));
            }
            finally
            {
                await StopAsync(uninstall);
            }
        }
        finally
        {
            await StopAsync(id);
            if (Directory.Exists(pins))
            {
                Directory.Delete(pins, recursive: true); // teardown after a failure: the pins' container and netns are gone
            }
        }
    }

    [RootFact]
    public async Task Ztunnel_ImageTakesOverALabNode_AdoptsItsPodsAndTunnelsTheirTraffic()
    {
        await docker.ReadyAsync();
        var chart = await RenderedChart.Default;
        await using var lab = await LabFixture.StartAsync(MeshLabYaml.TwoNodes);
        await lab.StartMeshAsync();
        await lab.WaitForListenerAsync("server", 8080);
        await lab.WaitForCaptureAsync("client");
        await lab.WaitForCaptureAsync("server");
        var url = $"http://{lab.Pod("server").Ip}:8080/";
        var native = LabMesh.Ztunnel(lab.Lab, "node2");
        var child = native.ChildPid() ?? throw new InvalidOperationException("node2's ztunnel is not running");
        var argv = File.ReadAllText($"/proc/{child}/cmdline").Split('\0', StringSplitOptions.RemoveEmptyEntries);
        var node = lab.State.Nodes.Single(n => n.Name == "node2");
        var run = new ChartContainerRun(chart.Ztunnel, "ztunnel") { NetworkNamespace = node.NetnsPath };
        run.FieldRefs["spec.nodeName"] = node.Name;
        // The lab's paths stand in for the node's: its state folder (token, trust bundle, CNI and handoff sockets) and
        // its pods' network namespaces, bound where the lab's arguments name them.
        run.ExtraBinds.AddRange([lab.State.StateDir, "/run/netns"]);
        using var unused = new TempFolder();
        using var logs = new TempFolder();
        run.HostPaths["/var/run/mesh"] = unused.Path;
        run.Files["token"] = unused.Path;
        run.Files["ca-root"] = unused.Path;
        var id = ChartContainerRun.Id("ztunnel-lab");
        var log = Path.Combine(logs.Path, "ztunnel.log");
        string Logs() => (File.Exists(log) ? File.ReadAllText(log) : "(no container log)") + "\n" + lab.ZtunnelLogs();

        // The native ztunnel of node2 held, as a kubelet replacing a pod would, and gone; its pins keep the pods captured.
        await Shell.RunAsync("kill", ["-STOP", native.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        try
        {
            await Shell.RunAsync("kill", ["-KILL", child.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            // Its held supervisor cannot reap it: ended is a zombie (state Z) or gone.
            await LabFixture.WaitUntilAsync(() => Task.FromResult(!File.Exists($"/proc/{child}/stat") || File.ReadAllText($"/proc/{child}/stat").Split(')')[1].Trim().StartsWith('Z')),
                TimeSpan.FromSeconds(10), "the native ztunnel did not end");

            // The image, with the chart's pod spec, in node2's network namespace, with the arguments the lab gave the native one.
            var start = await docker.CtrAsync(run.CtrArguments("docker.io/" + Image("ztunnel"), id, log, "/app/ztunnel", argv[1..]));
            Assert.True(start.Ok, start.Stderr);
            CommandResult curl;
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            do
            {
                curl = await lab.CurlAsync("client", url, "-m", "2", "-o", "/dev/null", "-w", "%{http_code}");
            }
            while (curl.Stdout != "200" && DateTime.UtcNow < deadline);

            Assert.True(curl.Stdout == "200", $"no 200 through the containerized ztunnel: {curl.Stderr}\n{Logs()}");
            var output = File.ReadAllText(log);
            Assert.Contains("adopted 1 pinned pod(s)", output, StringComparison.Ordinal);
            Assert.Contains("tunnel from spiffe://cluster.local/ns/app/sa/client", output, StringComparison.Ordinal); // mTLS, HBONE into node2's pod
        }
        finally
        {
            await StopAsync(id);
            await Shell.RunAsync("kill", ["-CONT", native.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        }
    }

    /// <summary>Ends a containerd task and deletes its container; quiet when they are gone already.</summary>
    private async Task StopAsync(string id)
    {
        await docker.CtrAsync(["task", "kill", "-s", "SIGKILL", id]);
        for (var i = 0; i < 50 && (await docker.CtrAsync(["task", "ls", "-q"])).Stdout.Split('\n').Contains(id); i++)
        {
            await docker.CtrAsync(["task", "delete", id]);
            await Task.Delay(100);
        }
        await docker.CtrAsync(["containers", "delete", id]);
    }

    [RootFact]
    public async Task Ztunnel_InstallCniContainerAsTheChartRendersIt_PutsAHostRunnableMeshCniIntoTheChain()
    {
        await docker.ReadyAsync();
        var chart = await RenderedChart.Default;
        var run = new ChartContainerRun(chart.Ztunnel, "install-cni");
        Assert.Empty(RenderedChart.Strings(RenderedChart.Container(chart.Ztunnel, "install-cni")["securityContext"]!["capabilities"]!["add"]));
        using var bin = new TempFolder();
        using var conf = new TempFolder();
        File.WriteAllText(Path.Combine(conf.Path, "10-kindnet.conflist"), """
            {"cniVersion": "0.3.1", "name": "kindnet", "plugins": [
              {"type": "ptp", "ipMasq": false, "ipam": {"type": "host-local", "ranges": [[{"subnet": "10.244.0.0/24"}]]}},
              {"type": "portmap", "capabilities": {"portMappings": true}}]}
            """);
        run.HostPaths["/opt/cni/bin"] = bin.Path;
        run.HostPaths["/etc/cni/net.d"] = conf.Path;

        // The chart's command, args (plus --once: install and exit), mounts and securityContext; no capability.
        var args = RenderedChart.Strings(RenderedChart.Container(chart.Ztunnel, "install-cni")["args"]);
        var result = await RunToEndAsync(run, "ztunnel", [.. args, "--once"]);

        Assert.True(result.Ok, result.Stdout + result.Stderr);
        var chained = JsonNode.Parse(File.ReadAllText(Path.Combine(conf.Path, "10-kindnet.conflist")))!["plugins"]!.AsArray();
        Assert.Equal(["ptp", "portmap", "mesh-cni"], chained.Select(p => p!["type"]!.ToString()));
        Assert.Equal("/var/run/mesh/cni.sock", chained[^1]!["nodeAgentSocket"]!.ToString());
        // The copy runs on the host as a runtime execs it, with nothing of .NET beside it (Native AOT).
        var version = await Shell.RunAsync("/usr/bin/env", ["-i", "CNI_COMMAND=VERSION", Path.Combine(bin.Path, "mesh-cni")]);
        Assert.True(version.Ok, version.Stdout + version.Stderr);
        Assert.Contains("supportedVersions", version.Stdout);
    }

    [RootFact]
    public async Task Waypoint_NoControlPlane_ExitsWithWhatToSetAsNonRoot()
    {
        await docker.ReadyAsync();

        var result = await docker.DockerAsync(["run", "--rm", "--pull", "never", "--network", "none", "--read-only", "--cap-drop", "ALL", Image("waypoint")]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--control-plane (or $MESH_CONTROL_PLANE) is required", result.Stdout + result.Stderr);
        var user = await docker.DockerAsync(["image", "inspect", "-f", "{{.Config.User}}", Image("waypoint")]);
        Assert.Equal("65532:65532", user.Stdout.Trim());
    }

    [RootFact]
    public async Task Images_DataPlaneIsNativeAot_NoDotnetRuntimeAndSmall()
    {
        await docker.ReadyAsync();
        foreach (var component in new[] { "ztunnel", "waypoint" })
        {
            var size = await docker.DockerAsync(["image", "inspect", "-f", "{{.Size}}", Image(component)]);
            // Native: nothing of the .NET runtime ships (the executable carries it); ~25 MB against ~125 MB for the JIT tree.
            var export = await docker.DockerAsync(["create", "--name", $"{component}-probe-{Guid.NewGuid():N}"[..24], Image(component)]);
            Assert.True(export.Ok, export.Stderr);
            var id = export.Stdout.Trim();
            try
            {
                var files = await Shell.RunAsync("/bin/sh", ["-c", $"docker export {id} | tar -t"], timeout: TimeSpan.FromMinutes(1), env: docker.Environment);
                Assert.True(files.Ok, files.Stderr);
                Assert.DoesNotContain("usr/share/dotnet", files.Stdout, StringComparison.Ordinal);
                Assert.Contains($"app/{component}", files.Stdout, StringComparison.Ordinal);
                Assert.True(long.Parse(size.Stdout.Trim(), System.Globalization.CultureInfo.InvariantCulture) < 60_000_000, $"{component} image is {size.Stdout.Trim()} bytes");
            }
            finally
            {
                await docker.DockerAsync(["rm", "-f", id]);
            }
        }
    }

    private string Image(string component) => $"mesh/{component}:{docker.Tag}";

    private async Task<string> ContainerLogsAsync(string name)
    {
        var logs = await docker.DockerAsync(["logs", name]);
        return $"controlplane container logs:\n{logs.Stdout}{logs.Stderr}";
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private async Task<CommandResult> RunToEndAsync(ChartContainerRun run, string component, IEnumerable<string> args)
    {
        var name = ChartContainerRun.Id(component);
        var runArgs = run.DockerArguments(Image(component), name, args);
        runArgs.Insert(1, "--rm");
        return await docker.DockerAsync(runArgs, TimeSpan.FromMinutes(2));
    }

    private sealed class TempFolder : IDisposable
    {
        private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("mesh-image-test-");

        public string Path => _dir.FullName;

        public void Dispose() => _dir.Delete(recursive: true);
    }
}
