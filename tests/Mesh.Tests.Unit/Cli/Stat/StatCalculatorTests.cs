using Mesh.Cli.Stat;

namespace Mesh.Tests.Unit.Cli.Stat;

public sealed class StatCalculatorTests
{
    private static readonly TimeSpan TenSeconds = TimeSpan.FromSeconds(10);

    private static MetricSample S(string name, double value, params (string, string)[] labels) => S("waypoint app/w", name, value, labels);

    private static MetricSample S(string target, string name, double value, params (string K, string V)[] labels) =>
        new(target, name, labels.ToDictionary(l => l.K, l => l.V), value);

    private static (string, string)[] Http(string workload, string code, string ns = "app", string? route = null)
    {
        var l = new List<(string, string)>
        {
            ("reporter", "waypoint"), ("destination_workload", workload), ("destination_workload_namespace", ns),
            ("destination_service_name", "echo"), ("destination_service_namespace", ns), ("response_code", code),
        };
        if (route is not null)
        {
            l.Add(("route_name", route));
        }
        return [.. l];
    }

    private static IEnumerable<MetricSample> Histogram(string workload, params (string Le, double Count)[] buckets) =>
        buckets.Select(b => S("istio_request_duration_milliseconds_bucket", b.Count, [.. Http(workload, "200"), ("le", b.Le)]));

    [Fact]
    public void Compute_TwoScrapes_SuccessRateAndRateFromTheIncrease()
    {
        MetricSample[] before = [S("istio_requests_total", 1000, Http("echo-v1", "200")), S("istio_requests_total", 50, Http("echo-v1", "503"))];
        MetricSample[] after = [S("istio_requests_total", 1180, Http("echo-v1", "200")), S("istio_requests_total", 70, Http("echo-v1", "503"))];

        var row = Assert.Single(StatCalculator.Compute(before, after, TenSeconds, StatGrouping.Workload));

        Assert.Equal(("app", "echo-v1"), (row.Namespace, row.Name));
        Assert.Equal(200, row.Requests);
        Assert.Equal(0.9, row.SuccessRate!.Value, 9);
        Assert.Equal(20, row.RequestsPerSecond, 9);
    }

    [Fact]
    public void Compute_SeriesNewOrReset_CountsFromZero()
    {
        MetricSample[] before = [S("istio_requests_total", 500, Http("echo-v1", "200"))];
        // The waypoint restarted (500 -> 30) and a 503 series appeared.
        MetricSample[] after = [S("istio_requests_total", 30, Http("echo-v1", "200")), S("istio_requests_total", 10, Http("echo-v1", "503"))];

        var row = Assert.Single(StatCalculator.Compute(before, after, TenSeconds, StatGrouping.Workload));

        Assert.Equal(40, row.Requests);
        Assert.Equal(0.75, row.SuccessRate!.Value, 9);
    }

    [Fact]
    public void Compute_SameLabelsFromTwoProxies_SummedNotConfused()
    {
        MetricSample[] before = [S("waypoint a", "istio_requests_total", 100, Http("echo", "200")), S("waypoint b", "istio_requests_total", 7, Http("echo", "200"))];
        MetricSample[] after = [S("waypoint a", "istio_requests_total", 110, Http("echo", "200")), S("waypoint b", "istio_requests_total", 17, Http("echo", "200"))];

        Assert.Equal(20, Assert.Single(StatCalculator.Compute(before, after, TenSeconds, StatGrouping.Workload)).Requests);
    }

    [Fact]
    public void Compute_HistogramDeltas_QuantilesOfTheIntervalOnly()
    {
        // Before: 100 fast requests (<= 5 ms). During the interval: 100 more, all between 50 and 100 ms.
        var before = Histogram("echo", ("5", 100), ("50", 100), ("100", 100), ("+Inf", 100)).Append(S("istio_requests_total", 100, Http("echo", "200"))).ToList();
        var after = Histogram("echo", ("5", 100), ("50", 100), ("100", 200), ("+Inf", 200)).Append(S("istio_requests_total", 200, Http("echo", "200"))).ToList();

        var row = Assert.Single(StatCalculator.Compute(before, after, TenSeconds, StatGrouping.Workload));

        Assert.Equal(75, row.P50Ms!.Value, 9);
        Assert.Equal(97.5, row.P95Ms!.Value, 9);
        Assert.Equal(99.5, row.P99Ms!.Value, 9);
    }

    [Fact]
    public void Compute_TcpFromDestinationReporterOnly_OpenedOpenAndBytes()
    {
        (string, string)[] Tcp(string reporter) =>
            [("reporter", reporter), ("destination_workload", "db"), ("destination_workload_namespace", "data")];
        MetricSample[] before =
        [
            S("ztunnel node2", "istio_tcp_connections_opened_total", 10, Tcp("destination")),
            S("ztunnel node2", "istio_tcp_connections_closed_total", 8, Tcp("destination")),
            S("ztunnel node2", "istio_tcp_sent_bytes_total", 1000, Tcp("destination")),
        ];
        MetricSample[] after =
        [
            S("ztunnel node2", "istio_tcp_connections_opened_total", 15, Tcp("destination")),
            S("ztunnel node2", "istio_tcp_connections_closed_total", 12, Tcp("destination")),
            S("ztunnel node2", "istio_tcp_sent_bytes_total", 3000, Tcp("destination")),
            S("ztunnel node2", "istio_tcp_received_bytes_total", 500, Tcp("destination")),
            S("ztunnel node1", "istio_tcp_connections_opened_total", 99, Tcp("source")),
        ];

        var row = Assert.Single(StatCalculator.Compute(before, after, TenSeconds, StatGrouping.Workload));

        Assert.Equal(("data", "db"), (row.Namespace, row.Name));
        Assert.Equal(5, row.TcpConnectionsOpened);
        Assert.Equal(3, row.TcpConnectionsOpen);
        Assert.Equal(250, row.TcpBytesPerSecond);
        Assert.Null(row.SuccessRate);
        Assert.Null(row.P50Ms);
    }

    [Fact]
    public void Compute_ByRoute_RowsPerRouteAndServiceUnlabelledAsDash()
    {
        MetricSample[] after =
        [
            S("istio_requests_total", 4, Http("echo-v1", "200", route: "echo-api")),
            S("istio_requests_total", 6, Http("echo-v2", "200", route: "echo-api")),
            S("istio_requests_total", 5, Http("echo-v1", "200")),
        ];

        var rows = StatCalculator.Compute([], after, TenSeconds, StatGrouping.Route);

        Assert.Equal([("-", "echo", 5.0), ("echo-api", "echo", 10.0)], rows.Select(r => (r.Name, r.Service!, r.Requests)));
    }

    [Fact]
    public void Compute_NamespaceFilter_OnlyThatNamespace()
    {
        MetricSample[] after = [S("istio_requests_total", 4, Http("a", "200", ns: "one")), S("istio_requests_total", 6, Http("b", "200", ns: "two"))];

        Assert.Equal("b", Assert.Single(StatCalculator.Compute([], after, TenSeconds, StatGrouping.Workload, "two")).Name);
    }

    [Fact]
    public void Compute_NoResponseCode0_CountsAsFailure()
    {
        MetricSample[] after = [S("istio_requests_total", 3, Http("a", "0")), S("istio_requests_total", 1, Http("a", "404"))];

        Assert.Equal(0.25, Assert.Single(StatCalculator.Compute([], after, TenSeconds, StatGrouping.Workload)).SuccessRate!.Value, 9);
    }
}
