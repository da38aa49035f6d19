using Microsoft.Extensions.Logging;

namespace Mesh.Ztunnel.NodeAgent;

/// <summary>Log events of the node agent (ids 3500-3599).</summary>
internal static partial class NodeAgentLog
{
    [LoggerMessage(EventId = 3500, Level = LogLevel.Information, Message = "node agent: CNI socket {Socket}, pod cgroups under {CgroupRoot}")]
    public static partial void Listening(ILogger logger, string socket, string cgroupRoot);

    [LoggerMessage(EventId = 3501, Level = LogLevel.Information, Message = "cni {Command} pod {Namespace}/{Name} uid {Uid} netns {Netns}: {Outcome} ({Ms:F0} ms){Reason}")]
    public static partial void Request(ILogger logger, string command, string @namespace, string name, string uid, string netns, string outcome, double ms, string reason);

    [LoggerMessage(EventId = 3502, Level = LogLevel.Warning, Message = "cni request refused: {Reason}")]
    public static partial void BadRequest(ILogger logger, string reason);

    [LoggerMessage(EventId = 3503, Level = LogLevel.Information, Message = "running pods: found {Found} of {Wanted} in {Processes} pod processes ({Ms:F0} ms): {Pods}")]
    public static partial void Scanned(ILogger logger, int found, int wanted, int processes, double ms, string pods);

    [LoggerMessage(EventId = 3504, Level = LogLevel.Warning, Message = "running pods: scan failed: {Reason}")]
    public static partial void ScanFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 3505, Level = LogLevel.Information, Message = "pod {Uid}: its network namespace {Netns} is gone; forgetting it")]
    public static partial void Gone(ILogger logger, string uid, string netns);

    [LoggerMessage(EventId = 3506, Level = LogLevel.Warning, Message = "node agent: cannot write {File}: {Reason}")]
    public static partial void EnrollmentFileFailed(ILogger logger, string file, string reason);
}
