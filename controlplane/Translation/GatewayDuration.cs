using System.Globalization;
using System.Text.RegularExpressions;

namespace Mesh.ControlPlane.Translation;

/// <summary>Gateway API durations: one to four "&lt;digits&gt;&lt;unit&gt;" parts, units h, m, s, ms ("1m30s", "500ms", "0s").</summary>
internal static partial class GatewayDuration
{
    [GeneratedRegex("^(?:([0-9]{1,5})(h|ms|m|s)){1,4}$")]
    private static partial Regex Pattern();

    public static TimeSpan Parse(string text, string field)
    {
        var m = Pattern().Match(text);
        if (!m.Success)
        {
            throw new TranslationException(field, $"'{text}' is not a Gateway API duration (e.g. 10s, 500ms, 1m30s)");
        }
        var total = TimeSpan.Zero;
        for (var i = 0; i < m.Groups[1].Captures.Count; i++)
        {
            var n = int.Parse(m.Groups[1].Captures[i].Value, CultureInfo.InvariantCulture);
            total += m.Groups[2].Captures[i].Value switch
            {
                "h" => TimeSpan.FromHours(n),
                "m" => TimeSpan.FromMinutes(n),
                "s" => TimeSpan.FromSeconds(n),
                _ => TimeSpan.FromMilliseconds(n),
            };
        }
        return total;
    }
}
