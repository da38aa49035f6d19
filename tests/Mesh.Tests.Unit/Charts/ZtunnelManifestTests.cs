using System.Globalization;
using System.Text.Json.Nodes;
using Mesh.Core;
using Mesh.Core.Metrics;
using Mesh.Native.Bpf;
using Mesh.Native.Check;
using Mesh.Tests.Common.Charts;
using Mesh.Ztunnel;
using static Mesh.Tests.Common.Charts.RenderedChart;

namespace Mesh.Tests.Unit.Charts;

/// <summary>The node DaemonSet (ztunnel + install-cni): args, ports, capabilities, host access, update strategy.</summary>
public sealed class ZtunnelManifestTests
{
    /// <summary>Linux capability numbers (linux/capability.h).</summary>
    private static readonly Dictionary<string, int> CapabilityBits = new(StringComparer.Ordinal)
    {
        ["NET_ADMIN"] = 12, ["NET_RAW"] = 13, ["SYS_PTRACE"] = 19, ["SYS_ADMIN"] = 21, ["PERFMON"] = 38, ["BPF"] = 39,
    };

    private static List<string> AddedCapabilities(JsonObject container) => Strings(container["securityContext"]?["capabilities"]?["add"]);

    private static string CapEff(IEnumerable<string> capabilities) =>
        $"CapEff:\t{capabilities.Aggregate(0UL, (bits, c) => bits | 1UL << CapabilityBits[c]).ToString("x16", CultureInfo.InvariantCulture)}\n";

    [HelmFact]
    public async Task Capabilities_Ztunnel_AreWhatTheCaptureCheckRequiresPlusPtrace()
    {
        var zt = Container((await Default).Ztunnel, "ztunnel");
        var added = AddedCapabilities(zt);

        Assert.Equal(["BPF", "NET_ADMIN", "SYS_ADMIN", "SYS_PTRACE"], added.Order());
        Assert.Equal(["ALL"], Strings(zt["securityContext"]!["capabilities"]!["drop"]));
        // ztunnel's own start check (CaptureChecker, run by `meshctl check` and at start) passes with exactly these ...
        Assert.True(CaptureChecker.CheckCapabilities(CapEff(added)).Ok);
        // ... and each capability it checks is needed: without it, the check fails and names it.
        foreach (var needed in added.Where(c => c != "SYS_PTRACE"))
        {
            var result = CaptureChecker.CheckCapabilities(CapEff(added.Where(c => c != needed)));
            Assert.False(result.Ok, $"the capture check passes without {needed}: drop it from the chart");
        }
    }

    [HelmFact]
    public async Task Privileged_AnyContainer_IsNeverPrivileged()
    {
        foreach (var chart in new[] { await Default, await Custom })
        {
            foreach (var workload in chart.OfKind("DaemonSet").Concat(chart.OfKind("Deployment")))
            {
                Assert.All(Containers(workload), c => Assert.NotEqual(true, (bool?)c["securityContext"]?["privileged"]));
                Assert.NotEqual(true, (bool?)PodSpec(workload)["hostNetwork"]);
                Assert.NotEqual(true, (bool?)PodSpec(workload)["hostIPC"]);
            }
        }
    }

    [HelmFact]
    public async Task Capabilities_InstallCni_AreNone()
    {
        var cni = Container((await Default).Ztunnel, "install-cni");

        Assert.Empty(AddedCapabilities(cni));
        Assert.Equal(["ALL"], Strings(cni["securityContext"]!["capabilities"]!["drop"]));
        Assert.False((bool)cni["securityContext"]!["allowPrivilegeEscalation"]!);
    }

    [HelmFact]
    public async Task HostAccess_DefaultValues_IsExactlyCgroupsBpffsNetnsSocketAndCniDirs()
    {
        var chart = await Default;
        var pod = PodSpec(chart.Ztunnel);

        // hostPID: ztunnel finds running pods by /proc/<pid>/ns/net of the node's processes.
        Assert.True((bool)pod["hostPID"]!);
        var hostPaths = pod["volumes"]!.AsArray().OfType<JsonObject>().Where(v => v["hostPath"] is not null)
            .ToDictionary(v => v["name"]!.ToString(), v => v["hostPath"]!["path"]!.ToString());
        Assert.Equal(new Dictionary<string, string>
        {
            ["cgroup"] = "/sys/fs/cgroup",
            ["bpffs"] = BpfFs.DefaultRoot,
            ["netns"] = "/var/run/netns",
            ["cni-socket"] = "/var/run/mesh",
            ["cni-bin"] = "/opt/cni/bin",
            ["cni-conf"] = "/etc/cni/net.d",
        }, hostPaths);
        var mounts = Containers(chart.Ztunnel).ToDictionary(c => c["name"]!.ToString(),
            c => c["volumeMounts"]!.AsArray().OfType<JsonObject>().Select(m => m["name"]!.ToString()).Where(hostPaths.ContainsKey).Order().ToList());
        Assert.Equal(["bpffs", "cgroup", "cni-socket", "netns"], mounts["ztunnel"]);
        Assert.Equal(["cni-bin", "cni-conf"], mounts["install-cni"]);
        var zt = Container(chart.Ztunnel, "ztunnel");
        var byName = zt["volumeMounts"]!.AsArray().OfType<JsonObject>().ToDictionary(m => m["name"]!.ToString());
        Assert.True((bool)byName["cgroup"]["readOnly"]!);
        Assert.True((bool)byName["netns"]["readOnly"]!);
        Assert.Equal("HostToContainer", byName["netns"]["mountPropagation"]!.ToString());
    }

    [HelmFact]
    public async Task HostAccess_Bpffs_IsTheHostsWritableWithoutPropagation()
    {
        var chart = await Default;
        var zt = Container(chart.Ztunnel, "ztunnel");
        // Where ztunnel pins its capture by default (the chart passes no --bpf-dir): <bpffs>/mesh/<instance>/.
        var pins = Mesh.Ztunnel.Redirection.CapturePins.For(new Mesh.Ztunnel.Redirection.RedirectionOptions { Instance = ChartExpectations.NodeName });

        var (mount, volume) = VolumeFor(chart.Ztunnel, zt, pins.MapsDir);

        Assert.Equal(BpfFs.DefaultRoot, mount["mountPath"]!.ToString());
        Assert.Equal(BpfFs.DefaultRoot, volume["hostPath"]!["path"]!.ToString());
        Assert.Equal("Directory", volume["hostPath"]!["type"]!.ToString());
        // Pins are files in the host's bpffs, written: not read-only. They are not mounts, so nothing needs to
        // propagate (Bidirectional would also need a privileged container).
        Assert.NotEqual(true, (bool?)mount["readOnly"]);
        Assert.Equal("None", mount["mountPropagation"]!.ToString());
        Assert.DoesNotContain(Containers(chart.Ztunnel).SelectMany(c => c["volumeMounts"]!.AsArray().OfType<JsonObject>()),
            m => (string?)m["mountPropagation"] == "Bidirectional");
    }

    [HelmFact]
    public async Task HostAccess_CustomValues_FollowTheCniLayout()
    {
        var chart = await Custom;

        var hostPaths = PodSpec(chart.Ztunnel)["volumes"]!.AsArray().OfType<JsonObject>().Where(v => v["hostPath"] is not null)
            .ToDictionary(v => v["name"]!.ToString(), v => v["hostPath"]!["path"]!.ToString());
        Assert.Equal("/home/kubernetes/bin", hostPaths["cni-bin"]);
        Assert.Equal("/etc/cni/conf.d", hostPaths["cni-conf"]);
        Assert.Equal("/var/run/docker/netns", hostPaths["netns"]);
        Assert.Equal("/run/mesh-cni", hostPaths["cni-socket"]);
        var netnsMount = Container(chart.Ztunnel, "ztunnel")["volumeMounts"]!.AsArray().OfType<JsonObject>().Single(m => (string?)m["name"] == "netns");
        Assert.Equal("/var/run/docker/netns", netnsMount["mountPath"]!.ToString());
    }

    [HelmFact]
    public async Task Args_DefaultAndCustom_TheZtunnelParserTakesEveryFlag()
    {
        var root = Directory.CreateTempSubdirectory("mesh-chart-zt-").FullName;
        try
        {
            foreach (var (chart, socketDir) in new[] { (await Default, "/var/run/mesh"), (await Custom, "/run/mesh-cni") })
            {
                var zt = Container(chart.Ztunnel, "ztunnel");

                var o = ChartExpectations.ZtunnelArgs(chart.Ztunnel, zt, root);

                Assert.Equal(ChartExpectations.NodeName, o.Node);
                Assert.Equal(ChartExpectations.NodeName, o.Instance);
                Assert.Equal($"{socketDir}/{ChartExpectations.CniSocketFile}", o.CniSocket);
                Assert.Equal(root + Flags(zt)["--token-file"], o.TokenFile);
                Assert.Equal(root + Flags(zt)["--root-cert"], o.RootCertFile);
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [HelmFact]
    public async Task Args_InstallCni_TheInstallerParserTakesEveryFlagAndTheHostDirsAreMountedThere()
    {
        foreach (var (chart, binDir, confDir) in new[] { (await Default, "/opt/cni/bin", "/etc/cni/net.d"), (await Custom, "/home/kubernetes/bin", "/etc/cni/conf.d") })
        {
            var cni = Container(chart.Ztunnel, "install-cni");

            var o = ChartExpectations.InstallCniArgs(cni);

            Assert.False(o.Once);
            Assert.Equal(Flags(Container(chart.Ztunnel, "ztunnel"))["--cni-socket"], o.Socket);
            Assert.Equal(binDir, VolumeFor(chart.Ztunnel, cni, o.BinDir + "/mesh-cni").Volume["hostPath"]!["path"]!.ToString());
            Assert.Equal(confDir, VolumeFor(chart.Ztunnel, cni, o.ConfDir + "/10-net.conflist").Volume["hostPath"]!["path"]!.ToString());
        }
    }

    [HelmFact]
    public async Task Args_ControlPlaneAddress_IsTheServiceTlsPort()
    {
        var chart = await Default;
        var address = new Uri(Flags(Container(chart.Ztunnel, "ztunnel"))["--control-plane"]);
        var service = chart.Get("Service", "controlplane");

        Assert.Equal(Uri.UriSchemeHttps, address.Scheme);
        Assert.Equal($"controlplane.{Namespace}.svc", address.Host);
        var port = service["spec"]!["ports"]!.AsArray().OfType<JsonObject>().Single(p => (long)p["port"]! == address.Port);
        Assert.Equal("tls", port["targetPort"]!.ToString());
        Assert.Equal(ControlPlaneManifestTests.ParsedArgs(chart).Listen.Port, address.Port);
    }

    [HelmFact]
    public async Task Args_Node_ComesFromTheDownwardApi()
    {
        var zt = Container((await Default).Ztunnel, "ztunnel");

        Assert.Equal("$(NODE_NAME)", Flags(zt)["--node"]);
        var env = zt["env"]!.AsArray().OfType<JsonObject>().Single(e => (string?)e["name"] == "NODE_NAME");
        Assert.Equal("spec.nodeName", env["valueFrom"]!["fieldRef"]!["fieldPath"]!.ToString());
    }

    [HelmFact]
    public async Task Token_ProjectedToken_HasTheAudienceTheControlPlaneChecks()
    {
        foreach (var (chart, audience) in new[] { (await Default, Mesh.ControlPlane.Kubernetes.TokenReviewOptions.DefaultAudience), (await Custom, "mesh-ca.corp.example") })
        {
            var zt = Container(chart.Ztunnel, "ztunnel");
            var tokenFile = Flags(zt)["--token-file"];
            var (mount, volume) = VolumeFor(chart.Ztunnel, zt, tokenFile);
            var token = Assert.Single(volume["projected"]!["sources"]!.AsArray())!["serviceAccountToken"]!;

            Assert.Equal(tokenFile, $"{mount["mountPath"]}/{token["path"]}");
            Assert.Equal(audience, token["audience"]!.ToString());
            // The audience the control plane's TokenReview requires, as its own parser reads the Deployment's args.
            Assert.Equal(audience, ControlPlaneManifestTests.ParsedArgs(chart).TokenAudience);
            Assert.InRange((long)token["expirationSeconds"]!, 600, 86400);
        }
    }

    [HelmFact]
    public async Task CniSocket_ZtunnelAndInstallCni_AgreeAndLiveInTheSocketDir()
    {
        foreach (var (chart, dir) in new[] { (await Default, "/var/run/mesh"), (await Custom, "/run/mesh-cni") })
        {
            var zt = Container(chart.Ztunnel, "ztunnel");
            var socket = Flags(zt)["--cni-socket"];

            Assert.Equal($"{dir}/{ChartExpectations.CniSocketFile}", socket);
            Assert.Equal(socket, ChartExpectations.InstallCniArgs(Container(chart.Ztunnel, "install-cni")).Socket);
            var (mount, volume) = VolumeFor(chart.Ztunnel, zt, socket);
            Assert.Equal(dir, volume["hostPath"]!["path"]!.ToString());
            Assert.NotEqual(true, (bool?)mount["readOnly"]);
        }
    }

    [HelmFact]
    public async Task Ports_MetricsAndReadiness_AreTheTelemetryPorts()
    {
        var chart = await Default;
        var zt = Container(chart.Ztunnel, "ztunnel");
        var ports = zt["ports"]!.AsArray().OfType<JsonObject>().ToDictionary(p => p["name"]!.ToString(), p => (long)p["containerPort"]!);

        Assert.Equal(TelemetryRoutes.MetricsPort, ports["http-metrics"]);
        Assert.Equal(TelemetryRoutes.ReadinessPort, ports["http-ready"]);
        Assert.Equal(2, ports.Count);
        Assert.Equal(TelemetryRoutes.ReadinessPath, zt["readinessProbe"]!["httpGet"]!["path"]!.ToString());
        Assert.Equal("http-ready", zt["readinessProbe"]!["httpGet"]!["port"]!.ToString());
        var annotations = chart.Ztunnel["spec"]!["template"]!["metadata"]!["annotations"]!;
        Assert.Equal(TelemetryRoutes.MetricsPort.ToString(CultureInfo.InvariantCulture), annotations["prometheus.io/port"]!.ToString());
        Assert.Equal(TelemetryRoutes.MetricsPath, annotations["prometheus.io/path"]!.ToString());
    }

    [HelmFact]
    public async Task Labels_MeshPods_OptOutOfCapture()
    {
        var chart = await Default;

        foreach (var workload in new[] { chart.Ztunnel, chart.ControlPlane })
        {
            Assert.Equal(MeshLabels.DataplaneModeNone, PodLabels(workload)[MeshLabels.DataplaneMode]?.ToString());
        }
    }

    [HelmFact]
    public async Task UpdateStrategy_Nodes_UpgradeOneByOneWithoutSurge()
    {
        var d = (await Default).Ztunnel["spec"]!["updateStrategy"]!;
        var c = await Custom;

        Assert.Equal("RollingUpdate", d["type"]!.ToString());
        Assert.Equal(1, (long)d["rollingUpdate"]!["maxUnavailable"]!);
        Assert.Equal(0, (long)d["rollingUpdate"]!["maxSurge"]!);
        Assert.Equal(2, (long)c.Ztunnel["spec"]!["updateStrategy"]!["rollingUpdate"]!["maxUnavailable"]!);
        Assert.Equal(45, (long)PodSpec(c.Ztunnel)["terminationGracePeriodSeconds"]!);
        Assert.Equal("384Mi", Container(c.Ztunnel, "ztunnel")["resources"]!["requests"]!["memory"]!.ToString());
    }

    [HelmFact]
    public async Task Images_CustomValues_UseRegistryAndTag()
    {
        var d = await Default;
        var c = await Custom;

        Assert.Equal("mesh/ztunnel:0.1.0", Container(d.Ztunnel, "ztunnel")["image"]!.ToString());
        Assert.Equal("mesh/controlplane:0.1.0", Container(d.ControlPlane, "controlplane")["image"]!.ToString());
        // install-cni runs mesh-cni from the ztunnel image (scripts/image-rootfs.sh puts it in /app).
        Assert.Equal("registry.example/mesh/mesh/ztunnel:1.2.3", Container(c.Ztunnel, "install-cni")["image"]!.ToString());
        Assert.Equal(Container(d.Ztunnel, "ztunnel")["image"]!.ToString(), Container(d.Ztunnel, "install-cni")["image"]!.ToString());
        Assert.All(Containers(c.Ztunnel), x => Assert.Equal("Always", x["imagePullPolicy"]!.ToString()));
    }
}
