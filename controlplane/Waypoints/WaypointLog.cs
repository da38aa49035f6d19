using Microsoft.Extensions.Logging;

namespace Mesh.ControlPlane.Waypoints;

/// <summary>Log messages of the waypoint controller; event ids 4400-4449.</summary>
internal static partial class WaypointLog
{
    [LoggerMessage(4400, LogLevel.Information, "Waypoint {Kind} {Object} applied ({Why})")]
    public static partial void Applied(ILogger logger, string kind, string @object, string why);

    [LoggerMessage(4401, LogLevel.Information, "Waypoint Gateway {Gateway} status: {Status}")]
    public static partial void StatusWritten(ILogger logger, string gateway, string status);

    [LoggerMessage(4402, LogLevel.Warning, "Waypoint Gateway {Gateway}: API call failed (HTTP {Code}), trying again shortly: {Error}")]
    public static partial void ReconcileFailed(ILogger logger, string gateway, int code, string error);

    [LoggerMessage(4403, LogLevel.Information, "Gateway {Gateway} is now of class '{Class}', not mesh-waypoint: its waypoint objects were deleted")]
    public static partial void Removed(ILogger logger, string gateway, string @class);
}
