using System.Net;
using Mesh.Tests.Common;
using Mesh.Ztunnel.Limits;
using Mesh.Ztunnel.Metrics;
using Microsoft.Extensions.Logging;

namespace Mesh.Tests.Unit.Ztunnel.Metrics;

public sealed class RefusalReporterTests
{
    private static readonly IPEndPoint Client = new(IPAddress.Parse("198.18.1.10"), 40000);

    [Fact]
    public async Task Refused_BurstOfOneOutboundReason_EachCountedUnderItsLabelOneLine()
    {
        var metrics = new TcpMetrics();
        var logger = new LinesLogger();
        var time = new ManualTimeProvider();
        var reporter = new RefusalReporter(metrics, logger, time);

        for (var i = 0; i < 3; i++)
        {
            reporter.Refused(RefusalReason.NoHealthyEndpoints, "pod-uid", Client, "outbound to 198.19.128.5:80: service app/server has no endpoint with an address");
        }
        reporter.Refused(RefusalReason.PeerIdentityMismatch, "pod-uid", Client, "HBONE to 198.18.2.10:15008");

        var text = await metrics.Registry.CollectTextAsync();
        Assert.Contains("mesh_ztunnel_refused_connections_total{reason=\"no_healthy_endpoints\"} 3", text, StringComparison.Ordinal);
        Assert.Contains("mesh_ztunnel_refused_connections_total{reason=\"peer_identity_mismatch\"} 1", text, StringComparison.Ordinal);
        Assert.Equal(2, logger.Lines.Count);
        Assert.Contains("no_healthy_endpoints outbound to 198.19.128.5:80: service app/server", logger.Lines[0], StringComparison.Ordinal);
        Assert.Contains("198.18.1.10:40000", logger.Lines[0], StringComparison.Ordinal);
        Assert.Contains("peer_identity_mismatch", logger.Lines[1], StringComparison.Ordinal);
    }

    private sealed class LinesLogger : ILogger
    {
        public List<string> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Add(formatter(state, exception));
    }
}
