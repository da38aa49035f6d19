namespace Mesh.Cli.Stat;

/// <summary>
/// One row of golden metrics over the interval: HTTP requests (count, success = not 5xx, per second, latency
/// quantiles in ms) and TCP connections opened, open now and bytes per second. Null where nothing was reported.
/// </summary>
internal sealed record StatRow
{
    public required string Namespace { get; init; }

    /// <summary>The workload, or the route ("-" for requests no route labelled).</summary>
    public required string Name { get; init; }

    /// <summary>The destination service (route rows only).</summary>
    public string? Service { get; init; }

    public double Requests { get; init; }
    public double? SuccessRate { get; init; }
    public double RequestsPerSecond { get; init; }
    public double? P50Ms { get; init; }
    public double? P95Ms { get; init; }
    public double? P99Ms { get; init; }
    public double? TcpConnectionsOpened { get; init; }
    public double? TcpConnectionsOpen { get; init; }
    public double? TcpBytesPerSecond { get; init; }
}
