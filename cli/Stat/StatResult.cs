namespace Mesh.Cli.Stat;

/// <summary>The rows of one measurement, the interval they cover and how many endpoints answered (0 for Prometheus).</summary>
internal sealed record StatResult(IReadOnlyList<StatRow> Rows, TimeSpan Interval, int Endpoints);
