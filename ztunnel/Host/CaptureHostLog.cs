using Microsoft.Extensions.Logging;

namespace Mesh.Ztunnel.Host;

/// <summary>Log events of the capture host (ids 3000-3099).</summary>
internal static partial class CaptureHostLog
{
    [LoggerMessage(EventId = 3000, Level = LogLevel.Information, Message = "ztunnel capture host: pods from {PodsFile}, enrolled namespaces [{Namespaces}], TC mode {TcMode}, pid {Pid}")]
    public static partial void Starting(ILogger logger, string podsFile, string namespaces, Mesh.Native.TcAttachMode tcMode, int pid);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "check {Result}")]
    public static partial void Check(ILogger logger, string result);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Critical, Message = "cannot start capture: {Reason}")]
    public static partial void StartFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Warning, Message = "cannot read {PodsFile}: {Reason}")]
    public static partial void PodsFileUnreadable(ILogger logger, string podsFile, string reason);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Information, Message = "ready: {Count} pod(s) enrolled")]
    public static partial void Ready(ILogger logger, int count);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Information, Message = "stopped; the pods stay captured (pinned) until a ztunnel adopts them or `ztunnel uninstall` removes the pins")]
    public static partial void Stopping(ILogger logger);
}
