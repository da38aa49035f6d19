namespace Mesh.Ztunnel.Identity;

/// <summary>How the identity manager renews and retries.</summary>
public sealed record IdentityManagerOptions
{
    /// <summary>Fraction of a certificate's lifetime after which the next one is requested (Istio: about half).</summary>
    public double RefreshFraction { get; init; } = 0.5;

    /// <summary>First wait after a failed signing request; doubled per failure up to <see cref="MaxBackoff"/>.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Lower bound between two renewals of one identity, so a CA handing out very short certificates cannot spin us.</summary>
    public TimeSpan MinRefreshDelay { get; init; } = TimeSpan.FromSeconds(1);
}
