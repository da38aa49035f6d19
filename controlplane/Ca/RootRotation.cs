namespace Mesh.ControlPlane.Ca;

/// <summary>How automatic rotation runs (from <see cref="CaOptions"/>).</summary>
/// <param name="RotateAt">Fraction of the signing root's validity after which its successor is made (0 = never rotate).</param>
/// <param name="Overlap">How long the new root is in the bundle before it signs: every proxy must hold it by then.</param>
/// <param name="CertTtl">The workload certificate lifetime.</param>
public sealed record RotationPolicy(double RotateAt, TimeSpan Overlap, TimeSpan CertTtl)
{
    public bool Enabled => RotateAt > 0;
}

/// <summary>What a rotation decision looks at: the phase and since when, the signing root's validity, and the latest
/// expiry of a certificate the old root issued (<see cref="DateTimeOffset.MinValue"/> when none is known).</summary>
public sealed record RotationFacts(RotationPhase Phase, DateTimeOffset PhaseSince, DateTimeOffset Now,
    DateTimeOffset SignerNotBefore, DateTimeOffset SignerNotAfter, DateTimeOffset OldLiveUntil);

/// <summary>The step to take now (each is one of <see cref="CaStore"/>'s rotation mechanics).</summary>
public enum RotationStep
{
    Stay,
    /// <summary><see cref="CaStore.PublishNextRoot"/>: steady -> published.</summary>
    PublishNext,
    /// <summary><see cref="CaStore.PromoteNextRoot"/>: published -> issuing.</summary>
    PromoteNext,
    /// <summary><see cref="CaStore.FinishRotation"/>: issuing -> steady.</summary>
    DropOld,
}

/// <summary>
/// The automatic root rotation, as a pure decision: steady until <see cref="RotationPolicy.RotateAt"/> of the root's
/// validity; then a new root published next to the old one; after <see cref="RotationPolicy.Overlap"/> (or at once
/// when the old root has less than one certificate lifetime left) the new root signs; the old one leaves the bundle
/// once the last certificate it issued has expired.
/// </summary>
public static class RootRotation
{
    public static DateTimeOffset RotationDue(DateTimeOffset notBefore, DateTimeOffset notAfter, double fraction) =>
        notBefore + (notAfter - notBefore) * fraction;

    public static RotationStep Decide(RotationFacts f, RotationPolicy p) => f.Phase switch
    {
        RotationPhase.Steady => p.Enabled && f.Now >= RotationDue(f.SignerNotBefore, f.SignerNotAfter, p.RotateAt) ? RotationStep.PublishNext : RotationStep.Stay,
        RotationPhase.Published => f.Now >= f.PhaseSince + p.Overlap || f.SignerNotAfter - f.Now <= p.CertTtl ? RotationStep.PromoteNext : RotationStep.Stay,
        RotationPhase.Issuing => f.Now >= f.OldLiveUntil ? RotationStep.DropOld : RotationStep.Stay,
        _ => RotationStep.Stay,
    };

    /// <summary>
    /// Why <paramref name="rootLifetime"/> cannot carry <paramref name="p"/> (null when it can): after the rotation is
    /// due, the old root must outlive the overlap plus one certificate, so no certificate outlives the anchor it chains to.
    /// </summary>
    public static string? Misfit(TimeSpan rootLifetime, RotationPolicy p)
    {
        if (!p.Enabled)
        {
            return null;
        }
        if (p.RotateAt >= 1)
        {
            return $"--root-rotate-at {p.RotateAt} must be a fraction below 1 (e.g. 0.667), or 0 to rotate by hand only";
        }
        var left = rootLifetime * (1 - p.RotateAt);
        return left > p.Overlap + p.CertTtl
            ? null
            : $"a root of {rootLifetime} rotated at {p.RotateAt:0.###} of its life has {left} left, less than --rotation-overlap {p.Overlap} plus --cert-ttl {p.CertTtl}; " +
              "lengthen --root-lifetime or shorten the others";
    }
}
