using System.Diagnostics.Metrics;
using System.Text;

namespace Mesh.Core.Metrics;

/// <summary>
/// Collects System.Diagnostics.Metrics instruments of the chosen meters with a <see cref="MeterListener"/> and
/// renders them in the Prometheus text format 0.0.4. Counters are exported with a <c>_total</c> suffix,
/// up-down counters and gauges as gauges, histograms as <c>_bucket</c>/<c>_sum</c>/<c>_count</c> with the
/// instrument's advised bucket bounds (or <see cref="DefaultBuckets"/>). Tags become labels. Observable
/// instruments are read at each scrape. Two instruments of the same exported name and kind share one family;
/// one of another kind under a taken name is ignored.
/// </summary>
public sealed class PrometheusCollector : IDisposable
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>OpenTelemetry's default explicit bucket bounds.</summary>
    public static readonly IReadOnlyList<double> DefaultBuckets = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];

    private readonly MeterListener _listener = new();
    private readonly Func<Meter, bool> _meterFilter;
    private readonly Dictionary<string, MetricFamily> _families = new(StringComparer.Ordinal);
    private readonly List<MetricFamily> _observable = [];
    private readonly List<Action> _beforeCollect = [];
    private readonly Lock _lock = new();

    /// <summary>Collects the instruments of the meters with these names.</summary>
    public PrometheusCollector(params string[] meterNames)
        : this(m => meterNames.Contains(m.Name, StringComparer.Ordinal))
    {
    }

    public PrometheusCollector(Func<Meter, bool> meterFilter)
    {
        _meterFilter = meterFilter;
        _listener.InstrumentPublished = OnInstrumentPublished;
        _listener.SetMeasurementEventCallback<long>((i, v, t, s) => OnMeasurement(s, v, t));
        _listener.SetMeasurementEventCallback<int>((i, v, t, s) => OnMeasurement(s, v, t));
        _listener.SetMeasurementEventCallback<short>((i, v, t, s) => OnMeasurement(s, v, t));
        _listener.SetMeasurementEventCallback<byte>((i, v, t, s) => OnMeasurement(s, v, t));
        _listener.SetMeasurementEventCallback<double>((i, v, t, s) => OnMeasurement(s, v, t));
        _listener.SetMeasurementEventCallback<float>((i, v, t, s) => OnMeasurement(s, v, t));
        _listener.Start();
    }

    /// <summary>Runs before every scrape, e.g. to flush byte counts of connections still open.</summary>
    public void BeforeCollect(Action callback)
    {
        lock (_lock)
        {
            _beforeCollect.Add(callback);
        }
    }

    /// <summary>The current values of every collected instrument, in the text format.</summary>
    public string Collect()
    {
        lock (_lock)
        {
            foreach (var callback in _beforeCollect)
            {
                callback();
            }
            foreach (var family in _observable)
            {
                family.Clear();
            }
            _listener.RecordObservableInstruments();
            var sb = new StringBuilder(4096);
            PrometheusTextWriter.Write(sb, _families.Values);
            return sb.ToString();
        }
    }

    public byte[] CollectUtf8() => Encoding.UTF8.GetBytes(Collect());

    public void Dispose() => _listener.Dispose();

    private void OnInstrumentPublished(Instrument instrument, MeterListener listener)
    {
        if (!_meterFilter(instrument.Meter))
        {
            return;
        }
        var (kind, set, observable) = Classify(instrument);
        if (kind is null)
        {
            return;
        }
        var name = PrometheusNames.MetricName(instrument.Name);
        if (kind == MetricKind.Counter && !name.EndsWith("_total", StringComparison.Ordinal))
        {
            name += "_total";
        }
        MetricFamily family;
        lock (_lock)
        {
            if (_families.TryGetValue(name, out var existing))
            {
                if (existing.Kind != kind)
                {
                    return;
                }
                family = existing;
            }
            else
            {
                var help = string.IsNullOrEmpty(instrument.Description) ? instrument.Name : instrument.Description;
                family = new MetricFamily(name, help, kind.Value, kind == MetricKind.Histogram ? Bounds(instrument) : []);
                _families.Add(name, family);
            }
            if (observable && !_observable.Contains(family))
            {
                _observable.Add(family);
            }
        }
        var tags = instrument.Tags?.ToList();
        listener.EnableMeasurementEvents(instrument, new InstrumentBinding(family, set, tags is { Count: > 0 } ? tags : null));
    }

    private static void OnMeasurement<T>(object? state, T value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        where T : struct, IConvertible
    {
        if (state is not InstrumentBinding binding)
        {
            return;
        }
        var labels = LabelSet.From(binding.InstrumentTags, tags);
        binding.Family.Get(labels).Record(value.ToDouble(System.Globalization.CultureInfo.InvariantCulture), binding.Set);
    }

    private static (MetricKind? Kind, bool Set, bool Observable) Classify(Instrument instrument)
    {
        var type = instrument.GetType();
        if (!type.IsGenericType)
        {
            return (null, false, false);
        }
        var def = type.GetGenericTypeDefinition();
        if (def == typeof(Counter<>))
        {
            return (MetricKind.Counter, false, false);
        }
        if (def == typeof(ObservableCounter<>))
        {
            return (MetricKind.Counter, true, true);
        }
        if (def == typeof(UpDownCounter<>))
        {
            return (MetricKind.Gauge, false, false);
        }
        if (def == typeof(Gauge<>))
        {
            return (MetricKind.Gauge, true, false);
        }
        if (def == typeof(ObservableUpDownCounter<>) || def == typeof(ObservableGauge<>))
        {
            return (MetricKind.Gauge, true, true);
        }
        if (def == typeof(Histogram<>))
        {
            return (MetricKind.Histogram, false, false);
        }
        return (null, false, false);
    }

    private static double[] Bounds(Instrument instrument)
    {
        IEnumerable<double>? advised = instrument switch
        {
            Histogram<double> h => h.Advice?.HistogramBucketBoundaries,
            Histogram<float> h => h.Advice?.HistogramBucketBoundaries?.Select(x => (double)x),
            Histogram<long> h => h.Advice?.HistogramBucketBoundaries?.Select(x => (double)x),
            Histogram<int> h => h.Advice?.HistogramBucketBoundaries?.Select(x => (double)x),
            _ => null,
        };
        var bounds = (advised ?? DefaultBuckets).Where(b => !double.IsNaN(b) && !double.IsInfinity(b)).Distinct().ToArray();
        Array.Sort(bounds);
        return bounds;
    }

    private sealed record InstrumentBinding(MetricFamily Family, bool Set, List<KeyValuePair<string, object?>>? InstrumentTags);
}
