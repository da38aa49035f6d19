using System.Security.Cryptography.X509Certificates;
using Mesh.ControlPlane.Metrics;
using Mesh.Core.Identity;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Mesh.ControlPlane.Ca;

/// <summary>
/// Carries out <see cref="RootRotation"/> on the self-managed root: once a second it reads the phase from the root
/// files (so a restarted control plane, or `controlplane rotate-root`, is where the files say), decides, and takes the
/// step with <see cref="CaStore"/>'s rotation mechanics (the manual command's). The phase's start and what each root
/// issued until when are kept in rotation.json. Each phase is logged, exported (mesh_controlplane_ca_rotation_phase)
/// and shown in /debug/status.
/// </summary>
public sealed partial class RootRotator(CaStore store, CaOptions options, IssuedLedger ledger, ControlPlaneMetrics metrics, TimeProvider time,
    ILogger<RootRotator> log) : BackgroundService
{
    private RotationRecord? _record;
    /// <summary>What rotation.json holds (null until this process wrote it).</summary>
    private RotationRecord? _written;
    private volatile RotationStatus? _status;

    /// <summary>Null until the first check.</summary>
    public RotationStatus? Status => _status;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.RotationCheckInterval, time);
        do
        {
            Tick();
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    /// <summary>One check: resume or record the phase, take the step that is due, persist, publish the status.</summary>
    public void Tick()
    {
        var now = time.GetUtcNow();
        string? error = null;
        if (_record is null)
        {
            var stored = RotationRecord.Read(options.RotationFile);
            ledger.Seed(stored?.Issued ?? System.Collections.Immutable.ImmutableSortedDictionary<string, DateTimeOffset>.Empty);
            var phase = options.UserSupplied ? RotationPhase.Steady : CaStore.PhaseOnDisk(options);
            _record = stored is not null && stored.Phase == phase ? stored : new RotationRecord { Phase = phase, Since = now };
            Log.Resumed(log, _record.Phase, _record.Since);
        }
        // Re-read now: the phase on disk and the material must agree (a manual rotate-root may have just run).
        var material = store.Refresh();
        if (store.OwnIntermediate && store.RotateIntermediateIfDue() is { } rotated)
        {
            material = store.Current;
            _record = _record with { Since = now };
            Log.IntermediateRotated(log, rotated);
        }
        if (!options.UserSupplied)
        {
            var onDisk = CaStore.PhaseOnDisk(options);
            if (onDisk != _record.Phase)
            {
                // Moved by someone else (`controlplane rotate-root`): time the new phase from now.
                Log.Phase(log, onDisk, _record.Phase, "changed on disk");
                _record = _record with { Phase = onDisk, Since = now };
            }
            var step = RootRotation.Decide(Facts(material, now), options.Rotation);
            if (step != RotationStep.Stay)
            {
                try
                {
                    var was = _record.Phase;
                    var detail = Take(step, material);
                    material = store.Refresh();
                    _record = _record with { Phase = CaStore.PhaseOnDisk(options), Since = now };
                    Log.Phase(log, _record.Phase, was, detail);
                }
                catch (Exception e) when (e is CaException or IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
                {
                    error = e.Message;
                    Log.StepFailed(log, step, e.Message);
                }
            }
        }
        var record = _record with { Issued = ledger.Snapshot() };
        // Compared with what was written, not with the record before this tick: a phase step must reach the file now,
        // or a restart before the next signing would time the phase from the restart.
        if (_written is null || record.Phase != _written.Phase || record.Since != _written.Since || !record.Issued.SequenceEqual(_written.Issued) ||
            !File.Exists(options.RotationFile))
        {
            if (TryWrite(record))
            {
                _written = record;
            }
        }
        _record = record;
        _status = StatusOf(material, now, error ?? store.LastReloadError);
        metrics.SetRotation(_record.Phase.ToString().ToLowerInvariant(), material.TrustBundle.Min(c => c.NotAfter.ToUniversalTime()) - now.UtcDateTime);
    }

    private string Take(RotationStep step, CaMaterial material)
    {
        switch (step)
        {
            case RotationStep.PublishNext:
                var next = CaStore.PublishNextRoot(options, time);
                return $"new root '{next.Subject}' (sha256 {TrustAnchors.Fingerprint(next)}, until {next.NotAfter.ToUniversalTime():u}) published next to " +
                    $"'{material.Signer.Subject}'; it signs after {options.RotationOverlap}";
            case RotationStep.PromoteNext:
                CaStore.PromoteNextRoot(options);
                return $"the new root signs; '{material.Signer.Subject}' stays in the bundle until the last certificate it issued expires";
            default:
                CaStore.FinishRotation(options);
                return "no live certificate chains to the old root; it left the bundle";
        }
    }

    private RotationFacts Facts(CaMaterial material, DateTimeOffset now)
    {
        var signer = material.Signer;
        var old = OldRoot(material);
        return new RotationFacts(_record!.Phase, _record.Since, now, new DateTimeOffset(signer.NotBefore.ToUniversalTime()),
            new DateTimeOffset(signer.NotAfter.ToUniversalTime()), OldLiveUntil(old));
    }

    /// <summary>
    /// The latest expiry of a certificate the old root issued; when the ledger knows none (it signed before the ledger
    /// was kept), one certificate lifetime after the phase began, the longest any of them can live.
    /// </summary>
    private DateTimeOffset OldLiveUntil(X509Certificate2? old) =>
        old is null ? DateTimeOffset.MinValue
        : ledger.Latest(old.Thumbprint) is var t && t != DateTimeOffset.MinValue ? t
        : _record!.Since + options.CertTtl;

    /// <summary>In the issuing phase, the root that signed before (in the bundle, not the signer).</summary>
    private X509Certificate2? OldRoot(CaMaterial material) =>
        _record!.Phase == RotationPhase.Issuing ? material.TrustBundle.FirstOrDefault(c => c.Thumbprint != material.Root.Thumbprint) : null;

    private RotationStatus StatusOf(CaMaterial material, DateTimeOffset now, string? error)
    {
        var signing = material.Root.Thumbprint;
        var old = OldRoot(material);
        var anchors = material.TrustBundle.Select(c => new AnchorStatus(
            c.Thumbprint == signing ? "signing" : _record!.Phase == RotationPhase.Published ? "next" : "previous",
            c.Subject, TrustAnchors.Fingerprint(c), new DateTimeOffset(c.NotBefore.ToUniversalTime()), new DateTimeOffset(c.NotAfter.ToUniversalTime())));
        var automatic = options.Rotation.Enabled;
        DateTimeOffset? due = !automatic || _record!.Phase != RotationPhase.Steady ? null
            : store.OwnIntermediate ? store.IntermediateDue(material.Signer)
            : RootRotation.RotationDue(new DateTimeOffset(material.Signer.NotBefore.ToUniversalTime()), new DateTimeOffset(material.Signer.NotAfter.ToUniversalTime()), options.RotateAt);
        return new RotationStatus(_record!.Phase, _record.Since, due, old is null ? null : OldLiveUntil(old), automatic, [.. anchors], error);
    }

    private bool TryWrite(RotationRecord record)
    {
        try
        {
            record.Write(options.RotationFile);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log.StepFailed(log, RotationStep.Stay, $"cannot write {options.RotationFile}: {e.Message}");
            return false;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(4250, LogLevel.Information, "ca: root rotation resumes in phase {Phase} (since {Since:o})")]
        public static partial void Resumed(ILogger logger, RotationPhase phase, DateTimeOffset since);

        [LoggerMessage(4251, LogLevel.Information, "ca: root rotation phase {Phase} (was {Was}): {Detail}")]
        public static partial void Phase(ILogger logger, RotationPhase phase, RotationPhase was, string detail);

        [LoggerMessage(4252, LogLevel.Error, "ca: root rotation step {Step} failed, retrying in a second: {Reason}")]
        public static partial void StepFailed(ILogger logger, RotationStep step, string reason);

        [LoggerMessage(4253, LogLevel.Information, "ca: intermediate rotation: {Detail}")]
        public static partial void IntermediateRotated(ILogger logger, string detail);
    }
}
