using System.Diagnostics.Metrics;
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
    public void Parse_WhatTheMeshsCollectorWrites_ReadsTheCounterAndHistogramBack()
    {
        // The writer the ztunnels' /metrics use, so the parser and the exposition cannot drift apart.
        using var meter = new Meter("e2e." + Guid.NewGuid().ToString("N"));
        using var collector = new PrometheusCollector(m => ReferenceEquals(m, meter));
        meter.CreateCounter<long>("istio_tcp_connections_opened").Add(3,
            new KeyValuePair<string, object?>("connection_security_policy", "mutual_tls"), new KeyValuePair<string, object?>("source_principal", "spiffe://cluster.local/ns/a/sa/b"));
        meter.CreateHistogram<double>("istio_request_duration_milliseconds").Record(12);

        var samples = PrometheusTextReader.Parse(collector.Collect());

        Assert.Equal(3, PrometheusSample.Sum(samples, "istio_tcp_connections_opened_total", new Dictionary<string, string> { ["connection_security_policy"] = "mutual_tls" }));
        Assert.Equal(1, PrometheusSample.Sum(samples, "istio_request_duration_milliseconds_count", new Dictionary<string, string>()));
        Assert.Equal(1, PrometheusSample.Sum(samples, "istio_request_duration_milliseconds_bucket", new Dictionary<string, string> { ["le"] = "+Inf" }));
    }
}
