using Mesh.Core.Metrics;

namespace Mesh.Tests.Unit.E2E;

/// <summary>The kind run's reading of the ztunnels' metrics (core <see cref="PrometheusTextReader"/>, <see cref="PrometheusSample.Sum"/>).</summary>
public sealed class PrometheusTextTests
{
    [Fact]
    public void Parse_IstioCounterWithEscapesAndTimestamp_ReadsNameLabelsAndValue()
    {
        var samples = PrometheusTextReader.Parse("""
            # HELP istio_tcp_connections_opened_total Connections opened.
            # TYPE istio_tcp_connections_opened_total counter
            istio_tcp_connections_opened_total{reporter="destination",source_principal="spiffe://cluster.local/ns/a/sa/client",note="say \"hi\"\\n",connection_security_policy="mutual_tls"} 17 1764600000000

            up 1
            """);

        Assert.Equal(2, samples.Count);
        Assert.Equal("istio_tcp_connections_opened_total", samples[0].Name);
        Assert.Equal("mutual_tls", samples[0].Labels["connection_security_policy"]);
        Assert.Equal("say \"hi\"\\n", samples[0].Labels["note"]);
        Assert.Equal(17, samples[0].Value);
        Assert.Empty(samples[1].Labels);
    }

    [Theory]
    [InlineData("metric{a=\"1\" 3")]
    [InlineData("metric{a=1} 3")]
    [InlineData("metric not-a-number")]
    [InlineData("9metric 1")]
    public void Parse_BrokenLine_ThrowsNamingTheLine(string line)
    {
        var e = Assert.Throws<FormatException>(() => PrometheusTextReader.Parse("# ok\n" + line));

        Assert.StartsWith("line 2:", e.Message);
    }

    [Fact]
    public void Sum_MutualTlsFilter_AddsOnlyMatchingSamplesOfTheName()
    {
        var samples = PrometheusTextReader.Parse("""
            istio_tcp_connections_opened_total{reporter="destination",connection_security_policy="mutual_tls",destination_app="echo"} 5
            istio_tcp_connections_opened_total{reporter="destination",connection_security_policy="mutual_tls",destination_app="echo",destination_version="v2"} 2
            istio_tcp_connections_opened_total{reporter="destination",connection_security_policy="none",destination_app="echo"} 100
            istio_tcp_connections_opened_total{reporter="source",connection_security_policy="mutual_tls",destination_app="echo"} 7
            istio_tcp_connections_closed_total{reporter="destination",connection_security_policy="mutual_tls",destination_app="echo"} 4
            """);

        var sum = PrometheusSample.Sum(samples, "istio_tcp_connections_opened_total",
            new Dictionary<string, string> { ["reporter"] = "destination", ["connection_security_policy"] = "mutual_tls", ["destination_app"] = "echo" });

        Assert.Equal(7, sum);
    }

    [Fact]
    public async Task Parse_WhatTheMeshsCollectorWrites_ReadsTheCounterAndHistogramBack()
    {
        // The exposition the ztunnels' /metrics use (core MetricsRegistry), so the parser and it cannot drift apart.
        var registry = new MetricsRegistry();
        registry.Factory.CreateCounter("istio_tcp_connections_opened_total", "opened", "connection_security_policy", "source_principal")
            .WithLabels("mutual_tls", "spiffe://cluster.local/ns/a/sa/b").Inc(3);
        registry.Factory.CreateHistogram("istio_request_duration_milliseconds", "duration").Observe(12);

        var samples = PrometheusTextReader.Parse(await registry.CollectTextAsync());

        Assert.Equal(3, PrometheusSample.Sum(samples, "istio_tcp_connections_opened_total", new Dictionary<string, string> { ["connection_security_policy"] = "mutual_tls" }));
        Assert.Equal(1, PrometheusSample.Sum(samples, "istio_request_duration_milliseconds_count", new Dictionary<string, string>()));
        Assert.Equal(1, PrometheusSample.Sum(samples, "istio_request_duration_milliseconds_bucket", new Dictionary<string, string> { ["le"] = "+Inf" }));
    }
}
