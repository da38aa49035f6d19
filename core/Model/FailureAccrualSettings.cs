namespace Mesh.Core.Model;

/// <summary>
/// Circuit breaking of one backend service's endpoints at the waypoint (Linkerd's failure accrual): an endpoint is
/// ejected after <see cref="ConsecutiveFailures"/> failures in a row, or when its failure rate over
/// <see cref="FailureRateWindow"/> reaches <see cref="FailureRate"/> (with at least <see cref="FailureRateMinRequests"/>
/// requests), for <see cref="MinPenalty"/> doubling on each re-ejection up to <see cref="MaxPenalty"/>, plus up to
/// <see cref="JitterRatio"/> of it at random; at most <see cref="MaxEjectedPercent"/> of the endpoints are ejected at
/// once. From the Service's <c>balancer.mesh.dev/failure-accrual*</c> annotations.
/// </summary>
public sealed record FailureAccrualSettings
{
    public static readonly FailureAccrualSettings Default = new();

    public static readonly FailureAccrualSettings Disabled = new() { Enabled = false };

    public bool Enabled { get; init; } = true;

    /// <summary>Failures in a row that eject (Linkerd's default, 7); 0 turns this check off.</summary>
    public int ConsecutiveFailures { get; init; } = 7;

    /// <summary>The share of failed requests (0..1) in the window that ejects; null turns this check off.</summary>
    public double? FailureRate { get; init; }

    public TimeSpan FailureRateWindow { get; init; } = TimeSpan.FromSeconds(10);

    public int FailureRateMinRequests { get; init; } = 20;

    /// <summary>The first ejection's length; each re-ejection (a failed probe) doubles it.</summary>
    public TimeSpan MinPenalty { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan MaxPenalty { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Up to this share of the penalty is added at random (Linkerd's 0.5), so waypoints do not probe in step.</summary>
    public double JitterRatio { get; init; } = 0.5;

    /// <summary>At most this share of a backend's endpoints is ejected at once (rounded down: one endpoint alone never is).</summary>
    public int MaxEjectedPercent { get; init; } = 50;
}
