using Microsoft.Extensions.Logging;

namespace Mesh.Ztunnel.Host;

/// <summary>Log events of the mesh host (ids 3600-3699).</summary>
internal static partial class MeshHostLog
{
    [LoggerMessage(EventId = 3600, Level = LogLevel.Information,
        Message = "ztunnel node {Node}: CNI socket {CniSocket}, control plane {ControlPlane}, trust bundle {RootCert}, TC mode {TcMode}, pid {Pid}")]
    public static partial void Starting(ILogger logger, string node, string cniSocket, Uri controlPlane, string rootCert, Mesh.Native.TcAttachMode tcMode, int pid);

    [LoggerMessage(EventId = 3601, Level = LogLevel.Information, Message = "metrics on {Address}:15020/metrics, readiness on {Address}:15021/healthz/ready")]
    public static partial void Listening(ILogger logger, System.Net.IPAddress address);
}
