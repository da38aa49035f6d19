using System.Net;
using Mesh.Core.Identity;
using Mesh.Ztunnel.Inbound;
using Microsoft.Extensions.Logging;

namespace Mesh.Ztunnel.Proxy;

/// <summary>Log events of the mesh data path (ids 3300-3399): one line per carried connection (refusals go to RefusalReporter).</summary>
internal static partial class MeshLog
{
    [LoggerMessage(EventId = 3300, Level = LogLevel.Information, Message = "outbound {Pod}: {Client} -> {Destination} via {Kind} {Dial} as {Source} to {Expected}")]
    public static partial void Outbound(ILogger logger, string pod, IPEndPoint client, IPEndPoint destination, string kind, IPEndPoint dial, SpiffeId source, SpiffeId? expected);

    [LoggerMessage(EventId = 3302, Level = LogLevel.Information, Message = "inbound {Pod}: tunnel from {Peer} to {Target} {Decision}")]
    public static partial void InboundTunnel(ILogger logger, string pod, SpiffeId peer, IPEndPoint target, AuthorizationDecision decision);

    [LoggerMessage(EventId = 3305, Level = LogLevel.Information, Message = "inbound {Pod}: plaintext {Client} -> {Target} {Decision}")]
    public static partial void InboundPlaintext(ILogger logger, string pod, IPEndPoint? client, IPEndPoint target, AuthorizationDecision decision);

    [LoggerMessage(EventId = 3307, Level = LogLevel.Error, Message = "a connection's handler failed; the connection was reset")]
    public static partial void HandlerFailed(ILogger logger, Exception error);
}
