using Microsoft.Extensions.Logging;

namespace Mesh.Ztunnel.Host;

/// <summary>Log events of listener handoff and draining (ids 3800-3899).</summary>
internal static partial class HandoffLog
{
    [LoggerMessage(EventId = 3800, Level = LogLevel.Information, Message = "no ztunnel to take over from at {Path} ({Reason}): opening new listeners")]
    public static partial void NoPredecessor(ILogger logger, string path, System.Net.Sockets.SocketError reason);

    [LoggerMessage(EventId = 3801, Level = LogLevel.Information, Message = "took over the listeners of {Count} pod(s) from the ztunnel at {Path}")]
    public static partial void TookOver(ILogger logger, string path, int count);

    [LoggerMessage(EventId = 3802, Level = LogLevel.Warning, Message = "taking over from the ztunnel at {Path} failed: {Reason}; pods without handed-over listeners get new ones")]
    public static partial void TakeOverFailed(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 3803, Level = LogLevel.Information, Message = "handed the listeners of {Count} pod(s) to a new ztunnel")]
    public static partial void HandedOver(ILogger logger, int count);

    [LoggerMessage(EventId = 3804, Level = LogLevel.Warning, Message = "handing the listeners over failed: {Reason}")]
    public static partial void HandOverFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 3805, Level = LogLevel.Information, Message = "draining ({Reason}): accepting stopped, {Active} connection(s) open, deadline {Deadline}")]
    public static partial void Draining(ILogger logger, string reason, int active, TimeSpan deadline);

    [LoggerMessage(EventId = 3806, Level = LogLevel.Information, Message = "drained: {Remaining} connection(s) reset at the deadline; capture stays pinned")]
    public static partial void Drained(ILogger logger, int remaining);

    [LoggerMessage(EventId = 3807, Level = LogLevel.Critical, Message = "cannot serve listener handoff on {Path}: {Reason}")]
    public static partial void ServeFailed(ILogger logger, string path, string reason);
}
