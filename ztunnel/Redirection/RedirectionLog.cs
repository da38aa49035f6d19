using Microsoft.Extensions.Logging;
using Mesh.Native.Bpf;

namespace Mesh.Ztunnel.Redirection;

/// <summary>Log events of eBPF capture (ids 3100-3199).</summary>
internal static partial class RedirectionLog
{
    [LoggerMessage(EventId = 3100, Level = LogLevel.Information, Message = "capture programs loaded from {Directory} (ztunnel mark 0x{Mark:x}), pinned in {Pins} (maps reused: {Reused}); adopted {Adopted} pinned pod(s)")]
    public static partial void ProgramsLoaded(ILogger logger, string directory, uint mark, string pins, bool reused, int adopted);

    [LoggerMessage(EventId = 3101, Level = LogLevel.Information, Message = "pod {Uid} enrolled: listeners 15001/15006/15008 in {Netns}, cgroup {Cgroup}, TC {TcKind} on {Interface} (ifindex {Ifindex}), {Adopted} pinned link(s) adopted")]
    public static partial void Enrolled(ILogger logger, string uid, string netns, string cgroup, BpfLinkKind tcKind, string @interface, int ifindex, int adopted);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Information, Message = "pod {Uid} unenrolled: programs detached, pins removed, listeners closed")]
    public static partial void Unenrolled(ILogger logger, string uid);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Information, Message = "removed a TC filter a previous ztunnel left on {Interface} of pod {Uid}")]
    public static partial void StaleFilterRemoved(ILogger logger, string uid, string @interface);

    [LoggerMessage(EventId = 3104, Level = LogLevel.Warning, Message = "could not clean up pod {Uid} at start: {Reason}")]
    public static partial void StaleCleanupFailed(ILogger logger, string uid, string reason);

    [LoggerMessage(EventId = 3105, Level = LogLevel.Error, Message = "enrolling pod {Uid} failed: {Reason}")]
    public static partial void EnrollFailed(ILogger logger, string uid, string reason);

    [LoggerMessage(EventId = 3106, Level = LogLevel.Warning, Message = "pod {Uid}: the app will see connections from the pod's own address, not the client's: source-address routes could not be set up: {Reason}")]
    public static partial void SourceRoutesFailed(ILogger logger, string uid, string reason);

    [LoggerMessage(EventId = 3107, Level = LogLevel.Warning, Message = "pod {Uid}: could not remove the source-address routes: {Reason}")]
    public static partial void SourceRoutesRemoveFailed(ILogger logger, string uid, string reason);

    [LoggerMessage(EventId = 3108, Level = LogLevel.Information, Message = "removed source-address routes a previous ztunnel left in pod {Uid}")]
    public static partial void StaleSourceRoutesRemoved(ILogger logger, string uid);

    [LoggerMessage(EventId = 3109, Level = LogLevel.Warning, Message = "pod {Uid}: could not move the pinned {Program} link to this ztunnel's program (it keeps the previous one): {Reason}")]
    public static partial void AdoptFailed(ILogger logger, string uid, string program, string reason);

    [LoggerMessage(EventId = 3110, Level = LogLevel.Information, Message = "pod {Uid} was pinned by an earlier ztunnel but is no longer captured: programs detached, pins removed")]
    public static partial void AdoptedReleased(ILogger logger, string uid);

    [LoggerMessage(EventId = 3111, Level = LogLevel.Information, Message = "capture uninstalled: {Pins} removed")]
    public static partial void Uninstalled(ILogger logger, string pins);

    [LoggerMessage(EventId = 3112, Level = LogLevel.Information, Message = "pod {Uid}: took over the listeners of the previous ztunnel")]
    public static partial void ListenersTakenOver(ILogger logger, string uid);
}
