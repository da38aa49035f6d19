using System.Globalization;
using Mesh.Core.Model;

namespace Mesh.ControlPlane.Translation;

/// <summary>
/// A Service's circuit-breaking settings from its annotations (Linkerd configures failure accrual on the Service too;
/// Gateway API has no field): <c>balancer.mesh.dev/failure-accrual</c> (<c>enabled</c>, the default, or
/// <c>disabled</c>), <c>...-consecutive-max-failures</c> (0..1000, default 7; 0 = off), <c>...-failure-rate</c> (0..1,
/// default off), <c>...-failure-rate-window</c> (1s..1h, 10s), <c>...-failure-rate-min-requests</c> (1..100000, 20),
/// <c>...-min-penalty</c> (1ms..1h, 10s), <c>...-max-penalty</c> (at least the min, up to 24h, 5m),
/// <c>...-jitter-ratio</c> (0..1, 0.5), <c>...-max-ejected-percent</c> (0..100, 50). A bad value is a translation error naming the annotation.
/// </summary>
internal static class FailureAccrualAnnotations
{
    public const string Prefix = "balancer.mesh.dev/failure-accrual";
    public const string MaxFailures = Prefix + "-consecutive-max-failures";
    public const string FailureRate = Prefix + "-failure-rate";
    public const string FailureRateWindow = Prefix + "-failure-rate-window";
    public const string FailureRateMinRequests = Prefix + "-failure-rate-min-requests";
    public const string MinPenalty = Prefix + "-min-penalty";
    public const string MaxPenalty = Prefix + "-max-penalty";
    public const string JitterRatio = Prefix + "-jitter-ratio";
    public const string MaxEjectedPercent = Prefix + "-max-ejected-percent";

    /// <summary>Null when the Service has none of the annotations (the waypoint then uses the defaults).</summary>
    public static FailureAccrualSettings? Read(ObjectMeta meta)
    {
        var a = meta.Annotations;
        if (!a.Keys.Any(k => k.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            return null;
        }
        var s = FailureAccrualSettings.Default;
        if (a.TryGetValue(Prefix, out var mode))
        {
            s = mode switch
            {
                "enabled" => s,
                "disabled" => s with { Enabled = false },
                _ => throw new TranslationException(Field(Prefix), $"'{mode}' is neither enabled nor disabled"),
            };
        }
        if (a.TryGetValue(MaxFailures, out var v))
        {
            s = s with { ConsecutiveFailures = (int)Number(MaxFailures, v, 0, 1000, integer: true) };
        }
        if (a.TryGetValue(FailureRate, out v))
        {
            s = s with { FailureRate = Number(FailureRate, v, 0, 1, integer: false) };
        }
        if (a.TryGetValue(FailureRateWindow, out v))
        {
            s = s with { FailureRateWindow = Duration(FailureRateWindow, v, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1)) };
        }
        if (a.TryGetValue(FailureRateMinRequests, out v))
        {
            s = s with { FailureRateMinRequests = (int)Number(FailureRateMinRequests, v, 1, 100_000, integer: true) };
        }
        if (a.TryGetValue(MinPenalty, out v))
        {
            s = s with { MinPenalty = Duration(MinPenalty, v, TimeSpan.FromMilliseconds(1), TimeSpan.FromHours(1)) };
        }
        if (a.TryGetValue(MaxPenalty, out v))
        {
            s = s with { MaxPenalty = Duration(MaxPenalty, v, TimeSpan.FromMilliseconds(1), TimeSpan.FromHours(24)) };
        }
        if (s.MaxPenalty < s.MinPenalty)
        {
            throw new TranslationException(Field(MaxPenalty), $"the max penalty {s.MaxPenalty} is below the min penalty {s.MinPenalty}: raise it or lower {MinPenalty}");
        }
        if (a.TryGetValue(JitterRatio, out v))
        {
            s = s with { JitterRatio = Number(JitterRatio, v, 0, 1, integer: false) };
        }
        if (a.TryGetValue(MaxEjectedPercent, out v))
        {
            s = s with { MaxEjectedPercent = (int)Number(MaxEjectedPercent, v, 0, 100, integer: true) };
        }
        return s;
    }

    private static string Field(string annotation) => $"metadata.annotations[{annotation}]";

    private static double Number(string annotation, string text, double min, double max, bool integer) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max && (!integer || n == Math.Floor(n))
            ? n
            : throw new TranslationException(Field(annotation), $"'{text}' is not {(integer ? "a whole number" : "a number")} from {min} to {max}");

    private static TimeSpan Duration(string annotation, string text, TimeSpan min, TimeSpan max)
    {
        var d = GatewayDuration.Parse(text, Field(annotation));
        return d >= min && d <= max ? d : throw new TranslationException(Field(annotation), $"'{text}' is outside {min}..{max}");
    }
}
