using Microsoft.Extensions.Logging;

namespace Mesh.Ztunnel.Host;

/// <summary>Log events of listener handoff and draining (ids 3500-3599).</summary>
internal static partial class HandoffLog
{
    [LoggerMessage(EventId = 3500, Level = LogLevel.Information, Message = "no ztunnel to take over from at {Path} ({Reason}): opening new listeners")]
    public static partial void NoPredecessor(ILogger logger, string path, System.Net.Sockets.SocketError reason);

    [LoggerMessage(EventId = 3501, Level = LogLevel.Information, Message = "took over the listeners of {Count} pod(s) from the ztunnel at {Path}")]
    public static partial void TookOver(ILogger logger, string path, int count);

    [LoggerMessage(EventId = 3502, Level = LogLevel.Warning, Message = "taking over from the ztunnel at {Path} failed: {Reason}; pods without handed-over listeners get new ones")]
    public static partial void TakeOverFailed(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 3503, Level = LogLevel.Information, Message = "handed the listeners of {Count} pod(s) to a new ztunnel")]
    public static partial void HandedOver(ILogger logger, int count);

    [LoggerMessage(EventId = 3504, Level = LogLevel.Warning, Message = "handing the listeners over failed: {Reason}")]
    public static partial void HandOverFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 3505, Level = LogLevel.Information, Message = "draining ({Reason}): accepting stopped, {Active} connection(s) open, deadline {Deadline}")]
    public static partial void Draining(ILogger logger, string reason, int active, TimeSpan deadline);

    [LoggerMessage(EventId = 3506, Level = LogLevel.Information, Message = "drained: {Remaining} connection(s) reset at the deadline; capture stays pinned")]
    public static partial void Drained(ILogger logger, int remaining);

    [LoggerMessage(EventId = 3507, Level = LogLevel.Critical, Message = "cannot serve listener handoff on {Path}: {Reason}")]
    public static partial void ServeFailed(ILogger logger, string path, string reason);
}
