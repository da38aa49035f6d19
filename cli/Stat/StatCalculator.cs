using Mesh.Core.Metrics;
using System.Globalization;

namespace Mesh.Cli.Stat;

/// <summary>
/// Golden metrics from two scrapes of the proxies' Istio metrics, <paramref name="interval"/> apart, as Prometheus'
/// rate() and histogram_quantile() would compute them over that window: each series' increase is after - before (a
/// series absent before starts at 0; one that went down was reset and counts from 0), summed per row. HTTP comes from
/// <c>istio_requests_total</c> and <c>istio_request_duration_milliseconds_bucket</c> as the waypoint (or a destination
/// sidecar) reports it; success = response code not 5xx (0, no response, is a failure too). TCP (workload rows only)
/// from the destination reporter's <c>istio_tcp_*</c>, so a connection is counted once. Pure.
/// </summary>
internal static class StatCalculator
{
    public const string RouteLabel = IstioLabels.RouteName;

    public static IReadOnlyList<StatRow> Compute(IReadOnlyList<MetricSample> before, IReadOnlyList<MetricSample> after,
        TimeSpan interval, StatGrouping by, string? ns = null)
    {
        var seconds = interval.TotalSeconds;
        var old = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var s in before)
        {
            old[s.SeriesKey] = s.Value;
        }
        var rows = new Dictionary<(string Ns, string Name, string? Service), Accumulator>();
        Accumulator Row(MetricSample s)
        {
            var key = by == StatGrouping.Workload
                ? (s.Label("destination_workload_namespace"), s.Label("destination_workload"), (string?)null)
                : (s.Label("destination_service_namespace"), s.Labels.TryGetValue(RouteLabel, out var r) && r.Length > 0 ? r : "-",
                    s.Label("destination_service_name"));
            if (!rows.TryGetValue(key, out var a))
            {
                rows[key] = a = new Accumulator();
            }
            return a;
        }
        foreach (var s in after)
        {
            var increase = old.TryGetValue(s.SeriesKey, out var was) && s.Value >= was ? s.Value - was : s.Value;
            var reporter = s.Label("reporter");
            switch (s.Name)
            {
                case "istio_requests_total" when reporter is "waypoint" or "destination":
                    var a = Row(s);
                    a.Requests += increase;
                    if (Failed(s.Label("response_code")))
                    {
                        a.Failures += increase;
                    }
                    break;
                case "istio_request_duration_milliseconds_bucket" when reporter is "waypoint" or "destination":
                    if (double.TryParse(s.Label("le"), NumberStyles.Float, CultureInfo.InvariantCulture, out var le)
                        || s.Label("le") == "+Inf")
                    {
                        var bound = s.Label("le") == "+Inf" ? double.PositiveInfinity : le;
                        var buckets = Row(s).Buckets;
                        buckets[bound] = buckets.GetValueOrDefault(bound) + increase;
                    }
                    break;
                case "istio_tcp_connections_opened_total" when reporter == "destination" && by == StatGrouping.Workload:
                    var t = Row(s);
                    t.TcpOpened = (t.TcpOpened ?? 0) + increase;
                    t.TcpOpen = (t.TcpOpen ?? 0) + s.Value;
                    break;
                case "istio_tcp_connections_closed_total" when reporter == "destination" && by == StatGrouping.Workload:
                    var c = Row(s);
                    c.TcpOpen = (c.TcpOpen ?? 0) - s.Value;
                    break;
                case "istio_tcp_sent_bytes_total" or "istio_tcp_received_bytes_total" when reporter == "destination" && by == StatGrouping.Workload:
                    var b = Row(s);
                    b.TcpBytes = (b.TcpBytes ?? 0) + increase;
                    break;
            }
        }
        return [.. rows
            .Where(r => ns is null || r.Key.Ns == ns)
            .OrderBy(r => r.Key.Ns, StringComparer.Ordinal).ThenBy(r => r.Key.Service, StringComparer.Ordinal).ThenBy(r => r.Key.Name, StringComparer.Ordinal)
            .Select(r => r.Value.ToRow(r.Key.Ns, r.Key.Name, r.Key.Service, seconds))];
    }

    private static bool Failed(string code) =>
        code.Length == 0 || code == "0" || code[0] == '5';

    private sealed class Accumulator
    {
        public double Requests;
        public double Failures;
        public readonly Dictionary<double, double> Buckets = [];
        public double? TcpOpened;
        public double? TcpOpen;
        public double? TcpBytes;

        public StatRow ToRow(string ns, string name, string? service, double seconds)
        {
            var pairs = Buckets.Select(b => (b.Key, b.Value)).ToList();
            double? Quantile(double q) => Requests > 0 && HistogramQuantile.Compute(q, pairs) is var v && !double.IsNaN(v) ? v : null;
            return new StatRow
            {
                Namespace = ns,
                Name = name,
                Service = service,
                Requests = Requests,
                SuccessRate = Requests > 0 ? (Requests - Failures) / Requests : null,
                RequestsPerSecond = seconds > 0 ? Requests / seconds : 0,
                P50Ms = Quantile(0.5),
                P95Ms = Quantile(0.95),
                P99Ms = Quantile(0.99),
                TcpConnectionsOpened = TcpOpened,
                TcpConnectionsOpen = TcpOpen is { } open ? Math.Max(0, open) : null,
                TcpBytesPerSecond = TcpBytes is { } bytes && seconds > 0 ? bytes / seconds : null,
            };
        }
    }
}
