using System.Net;
using Microsoft.Extensions.Logging;

namespace Mesh.Ztunnel.Limits;

/// <summary>Log events of ztunnel's limits (ids 3900-3999): one line per burst of refusals, the limits in force at start.</summary>
internal static partial class LimitsLog
{
    [LoggerMessage(EventId = 3900, Level = LogLevel.Warning, Message = "{Pod}: refused connection from {Client}: {Reason} {Detail} ({Suppressed} more refused for this reason since the last line)")]
    public static partial void Refused(ILogger logger, string pod, EndPoint? client, string reason, string detail, int suppressed);

    [LoggerMessage(EventId = 3901, Level = LogLevel.Information, Message = "limits: descriptors {FdLimit}, node connections {NodeLimit}, per pod {PerPod}, per peer {PerPeer}, streams per connection {Streams}, handshakes {Handshakes}, connect timeout {ConnectTimeout}, handshake timeout {HandshakeTimeout}, idle connection {ConnectionIdle}, idle stream {StreamIdle}")]
    public static partial void Effective(ILogger logger, ulong fdLimit, int nodeLimit, int perPod, int perPeer, int streams, int handshakes,
        TimeSpan connectTimeout, TimeSpan handshakeTimeout, TimeSpan connectionIdle, TimeSpan streamIdle);

    [LoggerMessage(EventId = 3902, Level = LogLevel.Warning, Message = "limits: the descriptor limit {FdLimit} (the hard limit this process got) allows only {NodeLimit} connections at once on this node; raise the open-files limit of ztunnel's container (containerd's default is 1024: its LimitNOFILE, or the runtime's rlimits)")]
    public static partial void LowFdLimit(ILogger logger, ulong fdLimit, int nodeLimit);
}
