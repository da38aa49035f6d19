namespace Mesh.Core.Model;

/// <summary>
/// Linkerd's retry budget: within any <see cref="Window"/>, retries to one backend service may be at most
/// <see cref="Ratio"/> of the original requests to it plus <see cref="MinPerSecond"/> × the window's seconds.
/// From the HTTPRoute's <c>retry.mesh.dev/budget-*</c> annotations; these defaults are Linkerd's.
/// </summary>
public sealed record RetryBudgetSettings
{
    public static readonly RetryBudgetSettings Default = new();

    public double Ratio { get; init; } = 0.2;
    public double MinPerSecond { get; init; } = 10;
    public TimeSpan Window { get; init; } = TimeSpan.FromSeconds(10);
}
