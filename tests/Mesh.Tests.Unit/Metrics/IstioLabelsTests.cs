using Mesh.Core.Metrics;
using Mesh.Core.Model;
using Mesh.Waypoint.Metrics;
using Mesh.Ztunnel.Metrics;
using static Mesh.Tests.Unit.Ztunnel.TestWorkloads;

namespace Mesh.Tests.Unit.Metrics;

/// <summary>ztunnel's TCP reports and the waypoint's HTTP reports carry Istio's labels alike (they had drifted: the waypoint lacked revision and cluster and chose the canonical service differently).</summary>
public sealed class IstioLabelsTests
{
    private static readonly Workload Client = Pod("app", "client", "198.18.1.10", sa: "client", labels: [("app.kubernetes.io/name", "shop"), ("app.kubernetes.io/version", "2.1")]);
    private static readonly Workload Server = Pod("app", "server", "198.18.2.10", sa: "server", node: "node2", labels: [("app", "server"), ("version", "v1")]);
    private static readonly Service ServerSvc = Svc("app", "server", "198.19.128.5", [Server], ports: new ServicePort(80, 8080));

    [Fact]
    public void Build_TcpAndHttpReporters_SameLabelsInIstioOrderHttpAddsResponseCode()
    {
        var tcp = TcpMetricLabels.ForInbound(Server, Client.Identity, Client, mutualTls: true, ServerSvc).Values.Select(t => t.Key).ToList();
        var http = RequestLabels.Build(Client, Client.Identity, ServerSvc, Server, 200, "-", mutualTls: true, route: "shop").Select(t => t.Key).ToList();

        Assert.Equal(tcp, http.Where(k => k != "response_code" && k != IstioLabels.RouteName));
        Assert.Equal(IstioLabels.WaypointHttpNames, http);
        Assert.Equal(http.IndexOf("request_protocol") + 1, http.IndexOf("response_code"));
        Assert.Equal(tcp.Count, tcp.Distinct().Count());
    }

    [Fact]
    public void Build_SameWorkloads_SameValuesForBothReporters()
    {
        var tcp = TcpMetricLabels.ForInbound(Server, Client.Identity, Client, mutualTls: true, ServerSvc).Values.ToDictionary(t => t.Key, t => t.Value);
        var http = RequestLabels.Build(Client, Client.Identity, ServerSvc, Server, 503, "UF", mutualTls: true, route: null).ToDictionary(t => t.Key, t => t.Value);

        foreach (var key in tcp.Keys.Except(["reporter", "request_protocol", "response_flags"]))
        {
            Assert.True(Equals(tcp[key], http[key]), $"{key}: tcp '{tcp[key]}' vs http '{http[key]}'");
        }
        Assert.Equal("shop", http["source_canonical_service"]);
        Assert.Equal("2.1", http["source_canonical_revision"]);
        Assert.Equal("server.app.svc.cluster.local", http["destination_service"]);
        Assert.Equal(("waypoint", "http", "503", "UF", ""), (http["reporter"], http["request_protocol"], http["response_code"], http["response_flags"], http[IstioLabels.RouteName]));
    }

    [Fact]
    public void Build_NothingKnown_UnknownEverywhereButTheFacts()
    {
        var labels = IstioLabels.Build("waypoint", null, null, null, null, null, "grpc", 404, "NR", mutualTls: false).ToDictionary(t => t.Key, t => t.Value);

        Assert.All(labels.Where(l => l.Key.StartsWith("source_", StringComparison.Ordinal) || l.Key.StartsWith("destination_", StringComparison.Ordinal)),
            l => Assert.Equal(IstioLabels.Unknown, l.Value));
        Assert.Equal("none", labels["connection_security_policy"]);
        Assert.Equal("grpc", labels["request_protocol"]);
    }
}
