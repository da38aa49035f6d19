using Microsoft.Extensions.Logging;

namespace Mesh.ControlPlane.Leadership;

/// <summary>Log messages of the leader election; event ids 4450-4499.</summary>
internal static partial class LeaderLog
{
    [LoggerMessage(4450, LogLevel.Information, "Leader election on Lease {Lease} as {Identity} (lease {LeaseSeconds} s, renew deadline {RenewSeconds} s, retry {RetrySeconds} s)")]
    public static partial void Starting(ILogger logger, string lease, string identity, double leaseSeconds, double renewSeconds, double retrySeconds);

    [LoggerMessage(4451, LogLevel.Information, "Leader of {Lease} is now {Leader} ({Role})")]
    public static partial void LeaderChanged(ILogger logger, string lease, string leader, string role);

    [LoggerMessage(4452, LogLevel.Information, "This replica leads {Lease}: starting {Tasks}")]
    public static partial void StartedLeading(ILogger logger, string lease, string tasks);

    [LoggerMessage(4453, LogLevel.Warning, "This replica stopped leading {Lease}: its writers are stopped")]
    public static partial void StoppedLeading(ILogger logger, string lease);

    [LoggerMessage(4454, LogLevel.Warning, "Leader election on {Lease}: {Error}")]
    public static partial void ElectionError(ILogger logger, string lease, string error);

    [LoggerMessage(4455, LogLevel.Error, "{Task} failed while leading; restarting it in {Seconds} s")]
    public static partial void TaskFailed(ILogger logger, string task, double seconds, Exception exception);

    [LoggerMessage(4456, LogLevel.Information, "Released Lease {Lease} at shutdown: another replica takes over without waiting for it to expire")]
    public static partial void Released(ILogger logger, string lease);
}
