using System.Diagnostics.Metrics;

namespace Mesh.ControlPlane.Metrics;

/// <summary>
/// The control plane's instruments (meter "Mesh.ControlPlane"), exported in Prometheus text on the
/// monitoring port: connected proxies, pushes, push latency, certificates signed and refused, registry files skipped.
/// </summary>
public sealed class ControlPlaneMetrics : IDisposable
{
    public const string MeterName = "Mesh.ControlPlane";

    private readonly Meter _meter = new(MeterName);
    private long _connected;
    private long _fileErrors;
    private volatile string _rotationPhase = "steady";
    private double _anchorSeconds = double.NaN;
    private static readonly string[] RotationPhases = ["steady", "published", "issuing"];
    private long _leader;

    public ControlPlaneMetrics()
    {
        _meter.CreateObservableGauge("mesh_controlplane_connected_proxies", () => Interlocked.Read(ref _connected),
            description: "Discovery streams currently open");
        Pushes = _meter.CreateCounter<long>("mesh_controlplane_pushes", description: "Messages (full states and deltas) written to discovery streams");
        PushLatency = _meter.CreateHistogram<double>("mesh_controlplane_push_latency_seconds", unit: "s",
            description: "From a registry change being published to the delta being flushed to a proxy",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] });
        CertificatesSigned = _meter.CreateCounter<long>("mesh_controlplane_certificates_signed", description: "Workload certificates issued");
        CertificatesRefused = _meter.CreateCounter<long>("mesh_controlplane_certificates_refused", description: "CSRs refused, by reason");
        _meter.CreateObservableGauge("mesh_controlplane_registry_file_errors", () => Interlocked.Read(ref _fileErrors),
            description: "Registry files skipped because they cannot be read (named in /debug/status)");
        _meter.CreateObservableGauge("mesh_controlplane_ca_rotation_phase",
            () => RotationPhases.Select(p => new Measurement<long>(p == _rotationPhase ? 1 : 0, new KeyValuePair<string, object?>("phase", p))),
            description: "1 for the phase the root rotation is in (steady, published: new root in the bundle, issuing: new root signs, old still trusted)");
        _meter.CreateObservableGauge("mesh_controlplane_ca_anchor_expiry_seconds", () => Volatile.Read(ref _anchorSeconds), unit: "s",
            description: "Seconds until the first anchor of the trust bundle expires");
        _meter.CreateObservableGauge("mesh_controlplane_leader", () => Interlocked.Read(ref _leader),
            description: "1 while this replica holds the leader Lease (runs the waypoint controller), else 0");
        LeaderChanges = _meter.CreateCounter<long>("mesh_controlplane_leader_changes", description: "Leader changes this replica observed on the Lease");
    }

    /// <summary>Set by the CA's rotation at each check.</summary>
    public void SetRotation(string phase, TimeSpan untilFirstAnchorExpires)
    {
        _rotationPhase = phase;
        Volatile.Write(ref _anchorSeconds, untilFirstAnchorExpires.TotalSeconds);
    }

    public Counter<long> Pushes { get; }
    public Histogram<double> PushLatency { get; }
    public Counter<long> CertificatesSigned { get; }
    public Counter<long> CertificatesRefused { get; }
    public Counter<long> LeaderChanges { get; }

    public void ProxyConnected() => Interlocked.Increment(ref _connected);
    public void ProxyDisconnected() => Interlocked.Decrement(ref _connected);
    public long ConnectedProxies => Interlocked.Read(ref _connected);

    /// <summary>Set by the registry at each publish: how many files are skipped now.</summary>
    public void SetRegistryFileErrors(long files) => Interlocked.Exchange(ref _fileErrors, files);

    /// <summary>Whether this replica holds the leader Lease now.</summary>
    public void SetLeader(bool leading) => Interlocked.Exchange(ref _leader, leading ? 1 : 0);

    public long Leader => Interlocked.Read(ref _leader);

    public void Dispose() => _meter.Dispose();
}
