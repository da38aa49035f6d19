using Mesh.Core.Metrics;

namespace Mesh.Tests.Unit.Metrics;

public sealed class PrometheusNamesTests
{
    [Theory]
    [InlineData("istio_tcp_sent_bytes", "istio_tcp_sent_bytes")]
    [InlineData("http.server.duration", "http_server_duration")]
    [InlineData("ns:rule", "ns:rule")]
    [InlineData("1abc", "_1abc")]
    [InlineData("", "_")]
    public void MetricName_Sanitized(string input, string expected) => Assert.Equal(expected, PrometheusNames.MetricName(input));

    [Theory]
    [InlineData("source.workload", "source_workload")]
    [InlineData("a:b", "a_b")]
    [InlineData("é", "_")]
    public void LabelName_Sanitized(string input, string expected) => Assert.Equal(expected, PrometheusNames.LabelName(input));

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a\"b", "a\\\"b")]
    [InlineData("a\\b", "a\\\\b")]
    [InlineData("a\nb", "a\\nb")]
    public void EscapeLabelValue_Escapes(string input, string expected) => Assert.Equal(expected, PrometheusNames.EscapeLabelValue(input));
}
