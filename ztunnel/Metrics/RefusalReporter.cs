using System.Net;
using Mesh.Ztunnel.Limits;
using Microsoft.Extensions.Logging;
using Prometheus;

namespace Mesh.Ztunnel.Metrics;

/// <summary>
/// The edge where refused or reset connections are reported, ztunnel's one (a <see cref="RefusalReason"/> from the
/// limits, the dials, the capture guard, the outbound plan, HBONE or policy): every one counts in
/// <c>mesh_ztunnel_refused_connections_total{reason}</c>; a burst of one reason gets one log line (the first, then at
/// most one per <see cref="LogInterval"/> with the number left unlogged), so a flood never floods the log.
/// </summary>
public sealed class RefusalReporter
{
    public static readonly TimeSpan LogInterval = TimeSpan.FromSeconds(5);

    private readonly Counter _refused;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly BurstLog _burst = new(LogInterval);
    private readonly long _start;

    public RefusalReporter(TcpMetrics metrics, ILogger logger, TimeProvider? time = null)
    {
        _refused = metrics.Registry.Factory.CreateCounter("mesh_ztunnel_refused_connections_total",
            "Connections and tunnels ztunnel refused or reset before carrying them, by reason (limits, timeouts, failed dials, no route, TLS, policy)", "reason");
        _logger = logger;
        _time = time ?? TimeProvider.System;
        _start = _time.GetTimestamp();
    }

    public void Refused(RefusalReason reason, string pod, EndPoint? client, string? detail = null)
    {
        _refused.WithLabels(reason.Label()).Inc();
        if (_burst.ShouldLog(reason, _time.GetElapsedTime(_start), out var suppressed))
        {
            LimitsLog.Refused(_logger, pod, client, reason.Label(), detail ?? string.Empty, suppressed);
        }
    }
}
