using System.Text.Json.Nodes;
using Mesh.ControlPlane;
using Mesh.Core;
using Mesh.Core.Metrics;
using Mesh.Tests.Common.Charts;
using static Mesh.Tests.Common.Charts.RenderedChart;

namespace Mesh.Tests.Unit.Charts;

/// <summary>The control plane Deployment, Service and PDB the chart renders agree with the control plane's own options.</summary>
public sealed class ControlPlaneManifestTests
{
    /// <summary>The Deployment's args through the control plane's own parser (after the `serve` command word).</summary>
    internal static ControlPlaneOptions ParsedArgs(RenderedChart chart) => ChartExpectations.ControlPlaneArgs(Container(chart.ControlPlane, "controlplane"));

    [HelmFact]
    public async Task Args_DefaultValues_ParseToTheControlPlaneDefaults()
    {
        var chart = await Default;

        var o = ParsedArgs(chart);

        var defaults = new ControlPlaneOptions();
        Assert.Equal("kubernetes", o.Registry);
        Assert.Equal(defaults.Listen, o.Listen);
        Assert.Equal(defaults.Monitoring, o.Monitoring);
        Assert.Equal(MeshLabels.DefaultTrustDomain, o.TrustDomain);
        Assert.Equal(defaults.CertTtl, o.CertTtl);
        Assert.Equal(Namespace, o.Namespace);
        Assert.Equal(MeshLabels.RootNamespace, o.Namespace);
        Assert.Equal(defaults.ServiceAccount, o.ServiceAccount);
        Assert.Equal(defaults.StateDirectory, o.StateDirectory);
    }

    [HelmFact]
    public async Task Args_CustomValues_CarryTrustDomainAndCertTtl()
    {
        var o = ParsedArgs(await Custom);

        Assert.Equal("corp.example", o.TrustDomain);
        Assert.Equal(TimeSpan.FromHours(12), o.CertTtl);
    }

    [HelmFact]
    public async Task Args_DefaultAndCustom_TheControlPlaneParserTakesEveryFlagAndServes()
    {
        foreach (var chart in new[] { await Default, await Custom })
        {
            var o = ParsedArgs(chart);

            // TokenReview: ztunnel's service account is the DaemonSet's, in the release namespace.
            Assert.Equal(Namespace, o.ZtunnelNamespace);
            Assert.Equal((string?)PodSpec(chart.Ztunnel)["serviceAccountName"], o.ZtunnelServiceAccount);
            Assert.Null(o.NodeTokensFile);
        }
    }

    [HelmFact]
    public async Task Identity_ServiceAccount_IsTheOneTheServingCertificateNames()
    {
        var chart = await Default;
        var o = ParsedArgs(chart);

        Assert.Equal(o.ServiceAccount, (string?)PodSpec(chart.ControlPlane)["serviceAccountName"]);
        Assert.NotNull(chart.Find("ServiceAccount", o.ServiceAccount));
        Assert.Equal(Namespace, (string?)chart.Get("ServiceAccount", o.ServiceAccount)["metadata"]!["namespace"]);
    }

    [HelmFact]
    public async Task Ports_ContainerAndService_AreTheListenAndMonitoringPorts()
    {
        var chart = await Default;
        var o = ParsedArgs(chart);
        var container = Container(chart.ControlPlane, "controlplane");
        var ports = container["ports"]!.AsArray().OfType<JsonObject>().ToDictionary(p => p["name"]!.ToString(), p => (long)p["containerPort"]!);
        var service = chart.Get("Service", "controlplane");
        var servicePorts = service["spec"]!["ports"]!.AsArray().OfType<JsonObject>().ToList();

        Assert.Equal(o.Listen.Port, ports["tls"]);
        Assert.Equal(o.Monitoring.Port, ports["http-monitoring"]);
        Assert.Equal(15012, o.Listen.Port);
        Assert.Equal(15014, o.Monitoring.Port);
        Assert.Equal(2, servicePorts.Count);
        foreach (var p in servicePorts)
        {
            Assert.Equal(ports[p["targetPort"]!.ToString()], (long)p["port"]!);
        }
        var probe = container["readinessProbe"]!["httpGet"]!;
        Assert.Equal(TelemetryRoutes.ReadinessPath, probe["path"]!.ToString());
        Assert.Equal("http-monitoring", probe["port"]!.ToString());
        Assert.Equal(o.Monitoring.Port.ToString(), chart.ControlPlane["spec"]!["template"]!["metadata"]!["annotations"]!["prometheus.io/port"]!.ToString());
    }

    [HelmFact]
    public async Task Selectors_ServiceAndPdb_SelectTheControlPlanePods()
    {
        var chart = await Default;
        var podLabels = PodLabels(chart.ControlPlane);

        foreach (var selector in new[]
                 {
                     chart.Get("Service", "controlplane")["spec"]!["selector"]!.AsObject(),
                     chart.Get("PodDisruptionBudget", "controlplane")["spec"]!["selector"]!["matchLabels"]!.AsObject(),
                     chart.ControlPlane["spec"]!["selector"]!["matchLabels"]!.AsObject(),
                 })
        {
            Assert.NotEmpty(selector);
            Assert.All(selector, kv => Assert.Equal(kv.Value!.ToString(), podLabels[kv.Key]?.ToString()));
        }
        // Nothing selects the ztunnel pods by mistake.
        var ztunnelLabels = PodLabels(chart.Ztunnel);
        var serviceSelector = chart.Get("Service", "controlplane")["spec"]!["selector"]!.AsObject();
        Assert.False(serviceSelector.All(kv => ztunnelLabels[kv.Key]?.ToString() == kv.Value!.ToString()));
    }

    [HelmFact]
    public async Task Replicas_DefaultAndCustom_AreOneAndThreeWithABudget()
    {
        var d = await Default;
        var c = await Custom;

        Assert.Equal(1, (long)d.ControlPlane["spec"]!["replicas"]!);
        Assert.Equal(1, (long)d.Get("PodDisruptionBudget", "controlplane")["spec"]!["maxUnavailable"]!);
        Assert.Equal(3, (long)c.ControlPlane["spec"]!["replicas"]!);
        Assert.Equal(2, (long)c.Get("PodDisruptionBudget", "controlplane")["spec"]!["maxUnavailable"]!);
        Assert.Equal(0, (long)c.ControlPlane["spec"]!["strategy"]!["rollingUpdate"]!["maxUnavailable"]!);
    }

    [HelmFact]
    public async Task Resources_CustomValues_ReachTheContainer()
    {
        var d = Container((await Default).ControlPlane, "controlplane")["resources"]!;
        var c = Container((await Custom).ControlPlane, "controlplane")["resources"]!;

        Assert.Equal("256Mi", d["requests"]!["memory"]!.ToString());
        Assert.Equal("500m", c["requests"]!["cpu"]!.ToString());
        Assert.Equal("2", c["limits"]!["cpu"]!.ToString());
        Assert.Equal("2Gi", c["limits"]!["memory"]!.ToString());
    }

    [HelmFact]
    public async Task LogLevel_DefaultAndCustom_AreDotnetLevelNames()
    {
        Assert.Equal("Information", Env(Container((await Default).ControlPlane, "controlplane"), ChartExpectations.LogLevelEnv));
        Assert.Equal("Debug", Env(Container((await Custom).ControlPlane, "controlplane"), ChartExpectations.LogLevelEnv));
    }

    [HelmFact]
    public async Task Security_ControlPlane_RunsNonRootWithoutCapabilities()
    {
        var chart = await Default;
        var pod = PodSpec(chart.ControlPlane);
        var container = Container(chart.ControlPlane, "controlplane");

        Assert.True((bool)pod["securityContext"]!["runAsNonRoot"]!);
        Assert.NotEqual(0, (long)pod["securityContext"]!["runAsUser"]!);
        Assert.False((bool)container["securityContext"]!["allowPrivilegeEscalation"]!);
        Assert.True((bool)container["securityContext"]!["readOnlyRootFilesystem"]!);
        Assert.Equal(["ALL"], Strings(container["securityContext"]!["capabilities"]!["drop"]));
        Assert.Null(container["securityContext"]!["capabilities"]!["add"]);
        // The state folder (trust-bundle.pem is written at every CA load) is writable despite the read-only root.
        var (mount, volume) = VolumeFor(chart.ControlPlane, container, ParsedArgs(chart).StateDirectory + "/ca/trust-bundle.pem");
        Assert.NotNull(volume["emptyDir"]);
        Assert.NotEqual(true, (bool?)mount["readOnly"]);
    }
}
