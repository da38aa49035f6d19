using System.Net;
using Mesh.Core.Identity;
using Mesh.Core.Metrics;
using Mesh.Core.Model;
using Mesh.Tests.Common;
using Mesh.Ztunnel.Metrics;
using Mesh.Ztunnel.Outbound;
using Mesh.Ztunnel.Proxy;
using static Mesh.Tests.Unit.Ztunnel.TestWorkloads;

namespace Mesh.Tests.Unit.Ztunnel.Metrics;

public sealed class TcpMetricsTests
{
    private static readonly Workload Client = Pod("app", "client", "198.18.1.10", sa: "client", labels: ("app", "client"));
    private static readonly Workload Server = Pod("app", "server", "198.18.2.10", sa: "server", node: "node2", labels: [("app", "server"), ("version", "v1")]);
    private static readonly Service ServerSvc = Svc("app", "server", "198.19.128.5", [Server], ports: new ServicePort(80, 8080));
    private static readonly MeshState State = State([Client, Server], [ServerSvc]);

    private readonly TcpMetrics _metrics = new();

    private static OutboundPlan.Hbone PlanToService() =>
        Assert.IsType<OutboundPlan.Hbone>(OutboundPlanner.Plan(State, Client, new IPEndPoint(IPAddress.Parse("198.19.128.5"), 80), new Random(1)));

    private static OutboundPlan.Passthrough PlanOutOfMesh(Random random) =>
        Assert.IsType<OutboundPlan.Passthrough>(OutboundPlanner.Plan(State, Client, new IPEndPoint(IPAddress.Parse("198.18.9.9"), 443), random));

    private static double Value(string exposition, string metric, string reporter) =>
        exposition.Split('\n')
            .Where(l => l.StartsWith(metric + "{", StringComparison.Ordinal) && l.Contains($"reporter=\"{reporter}\"", StringComparison.Ordinal))
            .Select(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture))
            .Sum();

    [Fact]
    public void ForInbound_Plaintext_UnknownSourceAndNoTls()
    {
        var labels = TcpMetricLabels.ForInbound(Server, peer: null, source: null, mutualTls: false);

        Assert.Equal("destination", labels["reporter"]);
        Assert.Equal("unknown", labels["source_principal"]);
        Assert.Equal("unknown", labels["source_workload"]);
        Assert.Equal("spiffe://cluster.local/ns/app/sa/server", labels["destination_principal"]);
        Assert.Equal("none", labels["connection_security_policy"]);
    }

    [Fact]
    public void ForInbound_PeerWithoutKnownWorkload_NamespaceFromIdentity()
    {
        var labels = TcpMetricLabels.ForInbound(Server, SpiffeId.Parse("spiffe://cluster.local/ns/far/sa/x"), null, true);

        Assert.Equal("far", labels["source_workload_namespace"]);
        Assert.Equal("spiffe://cluster.local/ns/far/sa/x", labels["source_principal"]);
        Assert.Equal("mutual_tls", labels["connection_security_policy"]);
    }

    [Fact]
    public async Task Connection_OpenBytesClose_CountersMatch()
    {
        var c = _metrics.Open(OutboundLabels.For(PlanToService()));
        c.AddRequestBytes(100);
        c.AddRequestBytes(23);
        c.AddResponseBytes(4096);

        var during = await _metrics.Registry.CollectTextAsync();
        Assert.Equal(1, Value(during, "istio_tcp_connections_opened_total", "source"));
        Assert.Equal(0, Value(during, "istio_tcp_connections_closed_total", "source"));
        Assert.Equal(123, Value(during, "istio_tcp_received_bytes_total", "source"));
        Assert.Equal(4096, Value(during, "istio_tcp_sent_bytes_total", "source"));

        c.AddRequestBytes(7);
        c.Dispose();
        c.Dispose();

        var after = await _metrics.Registry.CollectTextAsync();
        Assert.Equal(1, Value(after, "istio_tcp_connections_closed_total", "source"));
        Assert.Equal(130, Value(after, "istio_tcp_received_bytes_total", "source"));
        Assert.Equal(0, _metrics.OpenConnections);
    }

    [Fact]
    public async Task Exposition_OverHttp_PassesPromtoolAndMatchesRecordedTraffic()
    {
        var random = new Random(7);
        long request = 0, response = 0;
        for (var i = 0; i < 5; i++)
        {
            var plan = PlanToService();
            _metrics.RecordFinished(OutboundLabels.For(plan), 1000 + i, 10 * i);
            request += 1000 + i;
            response += 10 * i;
            using var inbound = _metrics.Open(TcpMetricLabels.ForInbound(Server, Client.Identity, Client, true, ServerSvc));
            inbound.AddRequestBytes(1000 + i);
            inbound.AddResponseBytes(10 * i);
        }
        var open = _metrics.Open(OutboundLabels.For(PlanOutOfMesh(random)));
        open.AddRequestBytes(55);
        await using var server = TelemetryServer.Start(new IPEndPoint(IPAddress.Loopback, 0), [TelemetryRoutes.Metrics(_metrics.Registry)]);
        using var http = new HttpClient();

        var exposition = await http.GetStringAsync(new Uri($"http://{server.LocalEndPoint}/metrics"));
        var (exit, output) = await Promtool.CheckMetricsAsync(exposition);

        Assert.True(exit == 0, $"promtool: {output}\n{exposition}");
        Assert.Equal(6, Value(exposition, "istio_tcp_connections_opened_total", "source"));
        Assert.Equal(5, Value(exposition, "istio_tcp_connections_closed_total", "source"));
        Assert.Equal(request + 55, Value(exposition, "istio_tcp_received_bytes_total", "source"));
        Assert.Equal(response, Value(exposition, "istio_tcp_sent_bytes_total", "source"));
        Assert.Equal(5, Value(exposition, "istio_tcp_connections_closed_total", "destination"));
        Assert.Equal(request, Value(exposition, "istio_tcp_received_bytes_total", "destination"));
        Assert.Equal(response, Value(exposition, "istio_tcp_sent_bytes_total", "destination"));
        open.Dispose();
    }
}
