using System.Net;
using Mesh.Core.Identity;
using Microsoft.Extensions.Logging;

namespace Mesh.Core.Hbone;

/// <summary>HBONE log lines (event ids 5100-5199).</summary>
internal static partial class HboneLog
{
    [LoggerMessage(EventId = 5100, Level = LogLevel.Warning, Message = "HBONE TLS handshake from {Remote} failed (peer certificate: {Check}): {Reason}")]
    public static partial void HandshakeFailed(ILogger logger, EndPoint? remote, HbonePeerCheck check, string reason);

    [LoggerMessage(EventId = 5101, Level = LogLevel.Warning, Message = "HBONE connection from {Remote} ({Peer}) failed during HTTP/2 setup: {Reason}")]
    public static partial void ServerSetupFailed(ILogger logger, EndPoint? remote, SpiffeId peer, string reason);

    [LoggerMessage(EventId = 5102, Level = LogLevel.Information, Message = "HBONE request from {Peer} refused with {Status}: not a valid CONNECT")]
    public static partial void BadRequest(ILogger logger, SpiffeId peer, int status);

    [LoggerMessage(EventId = 5103, Level = LogLevel.Warning, Message = "HBONE connection from {Remote} closed before TLS: no certificate to serve it with ({Reason})")]
    public static partial void NoCredential(ILogger logger, EndPoint? remote, string reason);
}
