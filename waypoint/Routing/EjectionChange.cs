using System.Net;

namespace Mesh.Waypoint.Routing;

/// <summary>
/// The change one verdict made (<see cref="EndpointEjector.Record"/>), reported once by the caller (a log line, a
/// metric): for an ejection, why (<c>consecutive_failures</c>, <c>failure_rate</c>, <c>probe_failed</c>), for how long,
/// and how many ejections in a row this is.
/// </summary>
public readonly record struct EjectionChange(EjectionKind Kind, IPEndPoint? Endpoint = null, string? Reason = null, TimeSpan Penalty = default, int Ejections = 0)
{
    public static readonly EjectionChange None = default;
}
