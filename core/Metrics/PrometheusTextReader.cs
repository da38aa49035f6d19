using System.Globalization;
using System.Text;

namespace Mesh.Core.Metrics;

/// <summary>
/// Reads Prometheus text exposition format 0.0.4 (what every proxy's 15020 serves): <c>name{label="value",...} value
/// [timestamp]</c> per line, <c># HELP</c>/<c># TYPE</c> and other comments skipped, label values with the escapes
/// <c>\\</c>, <c>\"</c>, <c>\n</c>, values including NaN and +Inf/-Inf. Pure; a malformed line is a
/// <see cref="FormatException"/> naming its line number. The one reader of the format <see cref="PrometheusTextWriter"/>
/// writes: meshctl stat reads the proxies with it, the kind run's checks the ztunnels.
/// </summary>
public static class PrometheusTextReader
{
    public static List<PrometheusSample> Parse(string text)
    {
        var samples = new List<PrometheusSample>();
        var lineNumber = 0;
        foreach (var raw in text.Split('\n'))
        {
            lineNumber++;
            var line = raw.TrimEnd('\r').Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }
            try
            {
                samples.Add(ParseLine(line));
            }
            catch (FormatException e)
            {
                throw new FormatException($"line {lineNumber}: {e.Message}");
            }
        }
        return samples;
    }

    private static PrometheusSample ParseLine(string line)
    {
        var i = 0;
        while (i < line.Length && IsNameChar(line[i], i == 0))
        {
            i++;
        }
        if (i == 0)
        {
            throw new FormatException($"expected a metric name at '{Excerpt(line)}'");
        }
        var name = line[..i];
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (i < line.Length && line[i] == '{')
        {
            i = ParseLabels(line, i + 1, labels);
        }
        var rest = line[i..].Trim().Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (rest.Length is 0 or > 2)
        {
            throw new FormatException($"expected a value (and an optional timestamp) after {name}");
        }
        return new PrometheusSample(name, labels, ParseValue(rest[0]));
    }

    private static int ParseLabels(string line, int i, Dictionary<string, string> labels)
    {
        while (true)
        {
            while (i < line.Length && line[i] is ' ' or ',')
            {
                i++;
            }
            if (i < line.Length && line[i] == '}')
            {
                return i + 1;
            }
            var start = i;
            while (i < line.Length && IsNameChar(line[i], i == start))
            {
                i++;
            }
            if (i == start || i + 1 >= line.Length || line[i] != '=' || line[i + 1] != '"')
            {
                throw new FormatException($"expected label=\"value\" at '{Excerpt(line[start..])}'");
            }
            var key = line[start..i];
            i += 2;
            var value = new StringBuilder();
            while (true)
            {
                if (i >= line.Length)
                {
                    throw new FormatException($"label {key}: unterminated value");
                }
                var c = line[i++];
                if (c == '"')
                {
                    break;
                }
                if (c == '\\' && i < line.Length)
                {
                    var e = line[i++];
                    value.Append(e switch { 'n' => '\n', _ => e });
                    continue;
                }
                value.Append(c);
            }
            labels[key] = value.ToString();
        }
    }

    private static double ParseValue(string text) => text switch
    {
        "+Inf" or "Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        "NaN" => double.NaN,
        _ => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v)
            ? v
            : throw new FormatException($"'{Excerpt(text)}' is not a number"),
    };

    private static bool IsNameChar(char c, bool first) =>
        c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or '_' or ':' || (!first && c is >= '0' and <= '9');

    private static string Excerpt(string s) => s.Length > 40 ? s[..40] + "..." : s;
}
