using Mesh.Core.Identity;
using Microsoft.Extensions.Logging;

namespace Mesh.Ztunnel.Identity;

/// <summary>Log events of the identity manager (ids 3400-3499).</summary>
internal static partial class IdentityLog
{
    [LoggerMessage(EventId = 3400, Level = LogLevel.Information, Message = "certificate for {Identity} issued by '{Issuer}': valid {NotBefore:o} to {NotAfter:o}, renewal at {RefreshAt:o}")]
    public static partial void Issued(ILogger logger, SpiffeId identity, string issuer, DateTimeOffset notBefore, DateTimeOffset notAfter, DateTimeOffset refreshAt);

    [LoggerMessage(EventId = 3401, Level = LogLevel.Warning, Message = "signing request for {Identity} failed (attempt {Attempt}), retrying in {Delay}: {Reason}")]
    public static partial void SignFailed(ILogger logger, SpiffeId identity, int attempt, TimeSpan delay, string reason);

    [LoggerMessage(EventId = 3402, Level = LogLevel.Information, Message = "identity {Identity} no longer has a pod on this node; certificate dropped")]
    public static partial void Forgotten(ILogger logger, SpiffeId identity);
}
