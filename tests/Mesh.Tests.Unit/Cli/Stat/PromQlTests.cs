using Mesh.Cli.Stat;

namespace Mesh.Tests.Unit.Cli.Stat;

public sealed class PromQlTests
{
    [Fact]
    public void Queries_Workload_RateQuantilesAndTcpOverTheWindow()
    {
        var q = PromQl.Queries(StatGrouping.Workload, TimeSpan.FromMinutes(1), "app");

        Assert.Equal("sum by (destination_workload_namespace,destination_workload) (rate(istio_requests_total{reporter=~\"waypoint|destination\",destination_workload_namespace=\"app\"}[60s]))", q["rps"]);
        Assert.Equal("histogram_quantile(0.99, sum by (le,destination_workload_namespace,destination_workload) (rate(istio_request_duration_milliseconds_bucket{reporter=~\"waypoint|destination\",destination_workload_namespace=\"app\"}[60s])))", q["p99"]);
        Assert.Contains("response_code=~\"5..|0\"", q["failures"], StringComparison.Ordinal);
        Assert.Contains("istio_tcp_connections_opened_total{reporter=\"destination\",destination_workload_namespace=\"app\"}", q["tcpOpened"], StringComparison.Ordinal);
    }

    [Fact]
    public void Queries_Route_GroupsByRouteAndNoTcp()
    {
        var q = PromQl.Queries(StatGrouping.Route, TimeSpan.FromSeconds(30), null);

        Assert.StartsWith("sum by (destination_service_namespace,destination_service_name,route_name) (increase(istio_requests_total{reporter=~\"waypoint|destination\"}[30s]))", q["requests"], StringComparison.Ordinal);
        Assert.False(q.ContainsKey("tcpOpened"));
    }

    [Fact]
    public void Rows_Answers_OneRowPerKeyWithSuccessRate()
    {
        IReadOnlyDictionary<string, string> Echo(string ns = "app") =>
            new Dictionary<string, string> { ["destination_workload_namespace"] = ns, ["destination_workload"] = "echo" };
        var answers = new Dictionary<string, List<(IReadOnlyDictionary<string, string>, double)>>
        {
            ["requests"] = [(Echo(), 200), (Echo("other"), 0)],
            ["failures"] = [(Echo(), 20)],
            ["rps"] = [(Echo(), 3.33)],
            ["p50"] = [(Echo(), 12.5), (Echo("other"), double.NaN)],
        };

        var rows = PromQl.Rows(StatGrouping.Workload, answers);

        Assert.Equal(2, rows.Count);
        var app = rows.Single(r => r.Namespace == "app");
        Assert.Equal(0.9, app.SuccessRate!.Value, 9);
        Assert.Equal(3.33, app.RequestsPerSecond);
        Assert.Equal(12.5, app.P50Ms);
        Assert.Null(app.P95Ms);
        Assert.Null(rows.Single(r => r.Namespace == "other").SuccessRate);
    }
}
