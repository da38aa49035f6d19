using Mesh.Core.Metrics;
using Prometheus;

namespace Mesh.ControlPlane.Metrics;

/// <summary>
/// The control plane's collectors on its <see cref="MetricsRegistry"/>, exported in Prometheus text on the monitoring
/// port: connected proxies, pushes, push latency, certificates signed and refused, registry files skipped, the root
/// rotation's phase and anchor expiry, leadership.
/// </summary>
public sealed class ControlPlaneMetrics
{
    private static readonly string[] RotationPhases = ["steady", "published", "issuing"];

    private readonly Gauge _connected;
    private readonly Counter _pushes;
    private readonly Histogram _pushLatency;
    private readonly Counter _signed;
    private readonly Counter _refused;
    private readonly Gauge _fileErrors;
    private readonly Gauge _rotationPhase;
    private readonly Gauge _anchorExpiry;
    private readonly Gauge _leader;
    private readonly Counter _leaderChanges;

    public ControlPlaneMetrics(MetricsRegistry registry)
    {
        Registry = registry;
        var f = registry.Factory;
        _connected = f.CreateGauge("mesh_controlplane_connected_proxies", "Discovery streams currently open");
        _pushes = f.CreateCounter("mesh_controlplane_pushes_total", "Messages (full states and deltas) written to discovery streams", "type");
        _pushLatency = f.CreateHistogram("mesh_controlplane_push_latency_seconds", "From a registry change being published to the delta being flushed to a proxy",
            new HistogramConfiguration { Buckets = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] });
        _signed = f.CreateCounter("mesh_controlplane_certificates_signed_total", "Workload certificates issued");
        _refused = f.CreateCounter("mesh_controlplane_certificates_refused_total", "CSRs refused, by reason", "reason");
        _fileErrors = f.CreateGauge("mesh_controlplane_registry_file_errors", "Registry files skipped because they cannot be read (named in /debug/status)");
        _rotationPhase = f.CreateGauge("mesh_controlplane_ca_rotation_phase",
            "1 for the phase the root rotation is in (steady, published: new root in the bundle, issuing: new root signs, old still trusted)", "phase");
        _anchorExpiry = f.CreateGauge("mesh_controlplane_ca_anchor_expiry_seconds", "Seconds until the first anchor of the trust bundle expires");
        _leader = f.CreateGauge("mesh_controlplane_leader", "1 while this replica holds the leader Lease (runs the waypoint controller), else 0");
        _leaderChanges = f.CreateCounter("mesh_controlplane_leader_changes_total", "Leader changes this replica observed on the Lease");
        SetRotation("steady", double.NaN);
    }

    /// <summary>A registry of its own (tests).</summary>
    public ControlPlaneMetrics() : this(new MetricsRegistry())
    {
    }

    public MetricsRegistry Registry { get; }

    /// <summary>Set by the CA's rotation at each check.</summary>
    public void SetRotation(string phase, TimeSpan untilFirstAnchorExpires) => SetRotation(phase, untilFirstAnchorExpires.TotalSeconds);

    private void SetRotation(string phase, double anchorSeconds)
    {
        foreach (var p in RotationPhases)
        {
            _rotationPhase.WithLabels(p).Set(p == phase ? 1 : 0);
        }
        _anchorExpiry.Set(anchorSeconds);
    }

    /// <summary>One message written to a discovery stream, a full state or a delta.</summary>
    public void RecordPush(bool full) => _pushes.WithLabels(full ? "full" : "delta").Inc();

    /// <summary>From a registry change being published to its delta being flushed to a proxy.</summary>
    public void RecordPushLatency(TimeSpan latency) => _pushLatency.Observe(latency.TotalSeconds);

    public void RecordCertificateSigned() => _signed.Inc();

    /// <summary>A CSR refused, by the refusal's code.</summary>
    public void RecordCertificateRefused(string reason) => _refused.WithLabels(reason).Inc();

    public void RecordLeaderChange() => _leaderChanges.Inc();

    public void ProxyConnected() => _connected.Inc();
    public void ProxyDisconnected() => _connected.Dec();
    public long ConnectedProxies => (long)_connected.Value;

    /// <summary>Set by the registry at each publish: how many files are skipped now.</summary>
    public void SetRegistryFileErrors(long files) => _fileErrors.Set(files);

    /// <summary>Whether this replica holds the leader Lease now.</summary>
    public void SetLeader(bool leading) => _leader.Set(leading ? 1 : 0);

    public long Leader => (long)_leader.Value;
}
