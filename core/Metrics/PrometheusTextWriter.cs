using System.Globalization;
using System.Text;

namespace Mesh.Core.Metrics;

/// <summary>Writes metric families in the Prometheus text exposition format 0.0.4.</summary>
internal static class PrometheusTextWriter
{
    public static void Write(StringBuilder output, IEnumerable<MetricFamily> families)
    {
        foreach (var family in families.OrderBy(f => f.Name, StringComparer.Ordinal))
        {
            var series = family.Series.ToList();
            if (series.Count == 0)
            {
                continue;
            }
            output.Append("# HELP ").Append(family.Name).Append(' ').Append(PrometheusNames.EscapeHelp(family.Help)).Append('\n');
            output.Append("# TYPE ").Append(family.Name).Append(' ').Append(TypeName(family.Kind)).Append('\n');
            foreach (var s in series)
            {
                switch (s)
                {
                    case ValueSeries v:
                        Sample(output, family.Name, s.Labels, null, v.Value);
                        break;
                    case HistogramSeries h:
                        WriteHistogram(output, family.Name, h);
                        break;
                }
            }
        }
    }

    private static void WriteHistogram(StringBuilder output, string name, HistogramSeries h)
    {
        var (cumulative, sum, count) = h.Snapshot();
        var bucket = name + "_bucket";
        for (var i = 0; i < h.Bounds.Length; i++)
        {
            Sample(output, bucket, h.Labels, FormatDouble(h.Bounds[i]), cumulative[i]);
        }
        Sample(output, bucket, h.Labels, "+Inf", cumulative[^1]);
        Sample(output, name + "_sum", h.Labels, null, sum);
        Sample(output, name + "_count", h.Labels, null, count);
    }

    private static void Sample(StringBuilder output, string name, LabelSet labels, string? le, double value)
    {
        output.Append(name);
        if (labels.Pairs.Length > 0 || le is not null)
        {
            output.Append('{');
            var first = true;
            foreach (var (k, v) in labels.Pairs)
            {
                if (le is not null && k == "le")
                {
                    continue;
                }
                if (!first)
                {
                    output.Append(',');
                }
                first = false;
                output.Append(k).Append("=\"").Append(PrometheusNames.EscapeLabelValue(v)).Append('"');
            }
            if (le is not null)
            {
                if (!first)
                {
                    output.Append(',');
                }
                output.Append("le=\"").Append(le).Append('"');
            }
            output.Append('}');
        }
        output.Append(' ').Append(FormatDouble(value)).Append('\n');
    }

    public static string FormatDouble(double value)
    {
        if (double.IsPositiveInfinity(value))
        {
            return "+Inf";
        }
        if (double.IsNegativeInfinity(value))
        {
            return "-Inf";
        }
        if (double.IsNaN(value))
        {
            return "NaN";
        }
        return value.ToString("R", CultureInfo.InvariantCulture);
    }

    private static string TypeName(MetricKind kind) => kind switch
    {
        MetricKind.Counter => "counter",
        MetricKind.Gauge => "gauge",
        MetricKind.Histogram => "histogram",
        _ => "untyped",
    };
}
