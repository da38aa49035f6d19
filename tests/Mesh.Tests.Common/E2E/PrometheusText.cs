using System.Globalization;
using System.Text;

namespace Mesh.Tests.Common.E2E;

/// <summary>
/// Reads the Prometheus text format (version 0.0.4) the mesh's /metrics endpoints write, as a scraper does: comments
/// and blank lines skipped, label values unescaped (\\, \", \n), an optional timestamp after the value ignored. Pure;
/// the kind run (tests/Mesh.Tests.E2E) sums the ztunnels' counters with it.
/// </summary>
public static class PrometheusText
{
    public static IReadOnlyList<PrometheusSample> Parse(string exposition)
    {
        var samples = new List<PrometheusSample>();
        var number = 0;
        foreach (var raw in exposition.Split('\n'))
        {
            number++;
            var line = raw.TrimEnd('\r').Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }
            samples.Add(ParseLine(line) ?? throw new FormatException($"line {number} is not a Prometheus sample: {line}"));
        }
        return samples;
    }

    /// <summary>The sum of <paramref name="name"/>'s samples whose labels include every pair of <paramref name="match"/>.</summary>
    public static double Sum(IEnumerable<PrometheusSample> samples, string name, IReadOnlyDictionary<string, string> match) =>
        samples.Where(s => s.Name == name && match.All(m => s.Labels.TryGetValue(m.Key, out var v) && v == m.Value)).Sum(s => s.Value);

    private static PrometheusSample? ParseLine(string line)
    {
        var i = 0;
        while (i < line.Length && (char.IsAsciiLetterOrDigit(line[i]) || line[i] is '_' or ':'))
        {
            i++;
        }
        if (i == 0 || char.IsAsciiDigit(line[0]))
        {
            return null;
        }
        var name = line[..i];
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (i < line.Length && line[i] == '{')
        {
            i++;
            while (true)
            {
                while (i < line.Length && line[i] is ' ' or ',')
                {
                    i++;
                }
                if (i < line.Length && line[i] == '}')
                {
                    i++;
                    break;
                }
                var eq = line.IndexOf('=', i);
                if (eq < 0 || eq + 1 >= line.Length || line[eq + 1] != '"')
                {
                    return null;
                }
                var key = line[i..eq].Trim();
                var value = new StringBuilder();
                i = eq + 2;
                while (i < line.Length && line[i] != '"')
                {
                    if (line[i] == '\\' && i + 1 < line.Length)
                    {
                        i++;
                        value.Append(line[i] == 'n' ? '\n' : line[i]);
                    }
                    else
                    {
                        value.Append(line[i]);
                    }
                    i++;
                }
                if (i >= line.Length || key.Length == 0)
                {
                    return null;
                }
                labels[key] = value.ToString();
                i++;
            }
        }
        var fields = line[i..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length is < 1 or > 2 || !TryValue(fields[0], out var v))
        {
            return null;
        }
        return new PrometheusSample(name, labels, v);
    }

    private static bool TryValue(string text, out double value)
    {
        switch (text)
        {
            case "+Inf":
                value = double.PositiveInfinity;
                return true;
            case "-Inf":
                value = double.NegativeInfinity;
                return true;
            case "NaN":
                value = double.NaN;
                return true;
            default:
                return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
        }
    }
}
