using System.Net;
using Microsoft.Extensions.Logging;

namespace Mesh.Ztunnel.Proxy;

/// <summary>Log events of the in-pod passthrough proxy (ids 3200-3299).</summary>
internal static partial class ProxyLog
{
    [LoggerMessage(EventId = 3200, Level = LogLevel.Information, Message = "outbound {Pod}: {Client} -> original destination {Destination} (from the BPF map)")]
    public static partial void Outbound(ILogger logger, string pod, IPEndPoint client, IPEndPoint destination);

    [LoggerMessage(EventId = 3201, Level = LogLevel.Information, Message = "inbound {Pod}: {Client} -> {Destination} (accepted on 15006)")]
    public static partial void Inbound(ILogger logger, string pod, IPEndPoint client, IPEndPoint destination);

    [LoggerMessage(EventId = 3202, Level = LogLevel.Warning, Message = "{Direction} {Pod}: connection from {Client} closed: {Error} {Detail}")]
    public static partial void Failed(ILogger logger, string direction, string pod, IPEndPoint? client, PassthroughError error, string detail);

    [LoggerMessage(EventId = 3203, Level = LogLevel.Debug, Message = "{Direction} {Pod}: {Client} closed ({Sent} bytes sent, {Received} bytes received)")]
    public static partial void Closed(ILogger logger, string direction, string pod, IPEndPoint? client, long sent, long received);
}
