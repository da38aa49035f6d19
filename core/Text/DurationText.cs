using System.Globalization;

namespace Mesh.Core.Text;

/// <summary>
/// The one duration syntax of every command-line flag (ztunnel, control plane): a non-negative number, decimals
/// allowed, with a unit: ms, s, m, h or d ("500ms", "10s", "1.5m", "24h", "1d"); "0" alone is zero. A number without
/// a unit is refused (10 what?). Gateway API durations in resources have their own, stricter grammar
/// (controlplane/Translation/GatewayDuration). Pure.
/// </summary>
public static class DurationText
{
    /// <summary>What to write, for an error message.</summary>
    public const string Examples = "500ms, 10s, 5m, 1h or 1d";

    /// <summary>False when <paramref name="text"/> is not a duration (no unit, negative, not a number, too large).</summary>
    public static bool TryParse(string text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (text == "0")
        {
            return true;
        }
        var (number, ticksPerUnit) = text.EndsWith("ms", StringComparison.Ordinal) ? (text[..^2], TimeSpan.TicksPerMillisecond)
            : text.Length < 2 ? ("", 0L)
            : text[^1] switch
            {
                's' => (text[..^1], TimeSpan.TicksPerSecond),
                'm' => (text[..^1], TimeSpan.TicksPerMinute),
                'h' => (text[..^1], TimeSpan.TicksPerHour),
                'd' => (text[..^1], TimeSpan.TicksPerDay),
                _ => ("", 0L),
            };
        if (ticksPerUnit == 0 || number.Length == 0 || !char.IsAsciiDigit(number[0])
            || !double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n))
        {
            return false;
        }
        var ticks = n * ticksPerUnit;
        if (!double.IsFinite(ticks) || ticks >= TimeSpan.MaxValue.Ticks)
        {
            return false;
        }
        value = TimeSpan.FromTicks((long)Math.Round(ticks));
        return true;
    }

    /// <summary>The shortest text <see cref="TryParse"/> reads back as <paramref name="value"/> in a whole unit ("10s", "1h", "0"), for help and status.</summary>
    public static string Format(TimeSpan value)
    {
        if (value == TimeSpan.Zero)
        {
            return "0";
        }
        foreach (var (ticks, unit) in Units)
        {
            if (value.Ticks % ticks == 0)
            {
                return (value.Ticks / ticks).ToString(CultureInfo.InvariantCulture) + unit;
            }
        }
        return value.TotalMilliseconds.ToString(CultureInfo.InvariantCulture) + "ms";
    }

    private static readonly (long Ticks, string Unit)[] Units =
        [(TimeSpan.TicksPerDay, "d"), (TimeSpan.TicksPerHour, "h"), (TimeSpan.TicksPerMinute, "m"), (TimeSpan.TicksPerSecond, "s"), (TimeSpan.TicksPerMillisecond, "ms")];
}
