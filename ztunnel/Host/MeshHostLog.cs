using Microsoft.Extensions.Logging;

namespace Mesh.Ztunnel.Host;

/// <summary>Log events of the mesh host and of <c>ztunnel uninstall</c> (ids 3600-3699).</summary>
internal static partial class MeshHostLog
{
    [LoggerMessage(EventId = 3600, Level = LogLevel.Information,
        Message = "ztunnel node {Node}: CNI socket {CniSocket}, control plane {ControlPlane}, trust bundle {RootCert}, TC mode {TcMode}, pid {Pid}")]
    public static partial void Starting(ILogger logger, string node, string cniSocket, Uri controlPlane, string rootCert, Mesh.Native.Bpf.TcAttachMode tcMode, int pid);

    [LoggerMessage(EventId = 3601, Level = LogLevel.Information, Message = "metrics on {Address}:15020/metrics, readiness on {Address}:15021/healthz/ready")]
    public static partial void Listening(ILogger logger, System.Net.IPAddress address);

    [LoggerMessage(EventId = 3602, Level = LogLevel.Information, Message = "check {Result}")]
    public static partial void Check(ILogger logger, string result);

    [LoggerMessage(EventId = 3603, Level = LogLevel.Critical, Message = "cannot start capture: {Reason}")]
    public static partial void StartFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 3604, Level = LogLevel.Information, Message = "stopped; the pods stay captured (pinned) until a ztunnel adopts them or `ztunnel uninstall` removes the pins")]
    public static partial void Stopping(ILogger logger);

    [LoggerMessage(EventId = 3605, Level = LogLevel.Warning, Message = "cannot read {PodsFile}: {Reason}; removing the pins only (the pods' TC filters and routes stay)")]
    public static partial void PodsFileUnreadable(ILogger logger, string podsFile, string reason);
}
