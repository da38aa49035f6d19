using Mesh.ControlPlane.Metrics;
using Mesh.Core.Metrics;
using Mesh.Tests.Common;

namespace Mesh.Tests.Unit.ControlPlane.Metrics;

public sealed class ControlPlaneMetricsTests
{
    private readonly ControlPlaneMetrics _metrics = new();

    private async Task<double> Value(string name, params (string Key, string Value)[] labels) =>
        PrometheusSample.Sum(PrometheusTextReader.Parse(await _metrics.Registry.CollectTextAsync()), name,
            labels.ToDictionary(l => l.Key, l => l.Value));

    [Fact]
    public async Task Collect_EveryRecording_UnderItsMeshName()
    {
        _metrics.ProxyConnected();
        _metrics.ProxyConnected();
        _metrics.ProxyDisconnected();
        _metrics.RecordPush(full: true);
        _metrics.RecordPush(full: false);
        _metrics.RecordPush(full: false);
        _metrics.RecordPushLatency(TimeSpan.FromMilliseconds(20));
        _metrics.RecordCertificateSigned();
        _metrics.RecordCertificateRefused("identity-mismatch");
        _metrics.SetRegistryFileErrors(2);
        _metrics.SetRotation("published", TimeSpan.FromDays(3));
        _metrics.SetLeader(true);
        _metrics.RecordLeaderChange();

        Assert.Equal(1, await Value("mesh_controlplane_connected_proxies"));
        Assert.Equal(1, await Value("mesh_controlplane_pushes_total", ("type", "full")));
        Assert.Equal(2, await Value("mesh_controlplane_pushes_total", ("type", "delta")));
        Assert.Equal(1, await Value("mesh_controlplane_push_latency_seconds_bucket", ("le", "0.025")));
        Assert.Equal(0, await Value("mesh_controlplane_push_latency_seconds_bucket", ("le", "0.01")));
        Assert.Equal(1, await Value("mesh_controlplane_certificates_signed_total"));
        Assert.Equal(1, await Value("mesh_controlplane_certificates_refused_total", ("reason", "identity-mismatch")));
        Assert.Equal(2, await Value("mesh_controlplane_registry_file_errors"));
        Assert.Equal((0.0, 1.0, 0.0), (await Value("mesh_controlplane_ca_rotation_phase", ("phase", "steady")),
            await Value("mesh_controlplane_ca_rotation_phase", ("phase", "published")), await Value("mesh_controlplane_ca_rotation_phase", ("phase", "issuing"))));
        Assert.Equal(TimeSpan.FromDays(3).TotalSeconds, await Value("mesh_controlplane_ca_anchor_expiry_seconds"));
        Assert.Equal((1.0, 1.0), (await Value("mesh_controlplane_leader"), await Value("mesh_controlplane_leader_changes_total")));
    }

    [Fact]
    public async Task Collect_BeforeAnyRotationCheck_AnchorExpiryNaNAndPhaseSteady()
    {
        Assert.True(double.IsNaN(await Value("mesh_controlplane_ca_anchor_expiry_seconds")));
        Assert.Equal(1, await Value("mesh_controlplane_ca_rotation_phase", ("phase", "steady")));
    }

    [Fact]
    public async Task Collect_FreshAndRecorded_PassesPromtool()
    {
        var (freshExit, fresh) = await Promtool.CheckMetricsAsync(await _metrics.Registry.CollectTextAsync());
        _metrics.RecordPush(full: true);
        _metrics.RecordPushLatency(TimeSpan.FromSeconds(0.3));
        _metrics.RecordCertificateRefused("bad-csr");
        var (exit, output) = await Promtool.CheckMetricsAsync(await _metrics.Registry.CollectTextAsync());

        Assert.True(freshExit == 0, fresh);
        Assert.True(exit == 0, output);
    }
}
