using System.Globalization;

namespace Mesh.Cli.Stat;

/// <summary>
/// The PromQL queries <c>meshctl stat --prometheus</c> asks, one per column, over a window of the interval: the same
/// numbers <see cref="StatCalculator"/> computes from two scrapes, as Prometheus computes them (rate, histogram_quantile).
/// Each answers one value per row key (the labels in <see cref="By"/>). Pure.
/// </summary>
internal static class PromQl
{
    public static IReadOnlyList<string> By(StatGrouping by) => by == StatGrouping.Workload
        ? ["destination_workload_namespace", "destination_workload"]
        : ["destination_service_namespace", "destination_service_name", StatCalculator.RouteLabel];

    public static string Window(TimeSpan interval) =>
        Math.Max(1, (int)Math.Round(interval.TotalSeconds)).ToString(CultureInfo.InvariantCulture) + "s";

    /// <summary>Column -> query.</summary>
    public static IReadOnlyDictionary<string, string> Queries(StatGrouping by, TimeSpan interval, string? ns)
    {
        var w = Window(interval);
        var keys = string.Join(",", By(by));
        var nsLabel = by == StatGrouping.Workload ? "destination_workload_namespace" : "destination_service_namespace";
        var filter = ns is null ? "" : $",{nsLabel}=\"{ns}\"";
        var http = $"reporter=~\"waypoint|destination\"{filter}";
        var queries = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["requests"] = $"sum by ({keys}) (increase(istio_requests_total{{{http}}}[{w}]))",
            ["failures"] = $"sum by ({keys}) (increase(istio_requests_total{{{http},response_code=~\"5..|0\"}}[{w}]))",
            ["rps"] = $"sum by ({keys}) (rate(istio_requests_total{{{http}}}[{w}]))",
        };
        foreach (var (column, q) in new[] { ("p50", "0.5"), ("p95", "0.95"), ("p99", "0.99") })
        {
            queries[column] = $"histogram_quantile({q}, sum by (le,{keys}) (rate(istio_request_duration_milliseconds_bucket{{{http}}}[{w}])))";
        }
        if (by == StatGrouping.Workload)
        {
            var tcp = $"reporter=\"destination\"{filter}";
            queries["tcpOpened"] = $"sum by ({keys}) (increase(istio_tcp_connections_opened_total{{{tcp}}}[{w}]))";
            queries["tcpOpen"] = $"sum by ({keys}) (istio_tcp_connections_opened_total{{{tcp}}}) - sum by ({keys}) (istio_tcp_connections_closed_total{{{tcp}}})";
            queries["tcpBytes"] = $"sum by ({keys}) (rate(istio_tcp_sent_bytes_total{{{tcp}}}[{w}])) + sum by ({keys}) (rate(istio_tcp_received_bytes_total{{{tcp}}}[{w}]))";
        }
        return queries;
    }

    /// <summary>Rows from the answers (column -> (labels, value) per series).</summary>
    public static IReadOnlyList<StatRow> Rows(StatGrouping by, IReadOnlyDictionary<string, List<(IReadOnlyDictionary<string, string> Labels, double Value)>> answers)
    {
        var keys = By(by);
        var rows = new SortedDictionary<string, Dictionary<string, double>>(StringComparer.Ordinal);
        var labelsOf = new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.Ordinal);
        foreach (var (column, series) in answers)
        {
            foreach (var (labels, value) in series)
            {
                var key = string.Join("\u0000", keys.Select(k => labels.TryGetValue(k, out var v) ? v : ""));
                if (!rows.TryGetValue(key, out var cells))
                {
                    rows[key] = cells = [];
                    labelsOf[key] = labels;
                }
                cells[column] = value;
            }
        }
        return [.. rows.Select(r =>
        {
            var l = labelsOf[r.Key];
            string Label(string k) => l.TryGetValue(k, out var v) ? v : "";
            double? Cell(string c) => r.Value.TryGetValue(c, out var v) && !double.IsNaN(v) ? v : null;
            var requests = Cell("requests") ?? 0;
            return new StatRow
            {
                Namespace = Label(keys[0]),
                Name = by == StatGrouping.Workload ? Label(keys[1]) : Label(StatCalculator.RouteLabel) is { Length: > 0 } route ? route : "-",
                Service = by == StatGrouping.Route ? Label("destination_service_name") : null,
                Requests = requests,
                SuccessRate = requests > 0 ? (requests - (Cell("failures") ?? 0)) / requests : null,
                RequestsPerSecond = Cell("rps") ?? 0,
                P50Ms = requests > 0 ? Cell("p50") : null,
                P95Ms = requests > 0 ? Cell("p95") : null,
                P99Ms = requests > 0 ? Cell("p99") : null,
                TcpConnectionsOpened = Cell("tcpOpened"),
                TcpConnectionsOpen = Cell("tcpOpen"),
                TcpBytesPerSecond = Cell("tcpBytes"),
            };
        })];
    }
}
