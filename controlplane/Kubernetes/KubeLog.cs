using Microsoft.Extensions.Logging;

namespace Mesh.ControlPlane.Kubernetes;

/// <summary>Log messages of the Kubernetes registry; event ids 4200-4299.</summary>
internal static partial class KubeLog
{
    [LoggerMessage(4200, LogLevel.Information, "Kubernetes API {Server}: listing and watching")]
    public static partial void Connecting(ILogger logger, string server);

    [LoggerMessage(4201, LogLevel.Debug, "Listed {Resource}: {Count} objects at resourceVersion {ResourceVersion}, {Events} events emitted")]
    public static partial void Listed(ILogger logger, string resource, int count, string resourceVersion, int events);

    [LoggerMessage(4202, LogLevel.Information, "Watch of {Resource} expired at resourceVersion {ResourceVersion} (410 Gone); relisting")]
    public static partial void Relisting(ILogger logger, string resource, string? resourceVersion);

    [LoggerMessage(4203, LogLevel.Warning, "{Operation} of {Resource} failed, retrying with backoff: {Error}")]
    public static partial void Failed(ILogger logger, string resource, string operation, string error);

    [LoggerMessage(4204, LogLevel.Information, "Continue token of {Resource} expired during a paginated list; listing again")]
    public static partial void ContinueExpired(ILogger logger, string resource);

    [LoggerMessage(4205, LogLevel.Warning, "Watch of {Resource} received an unknown event type {Type}; ignored")]
    public static partial void UnknownEvent(ILogger logger, string resource, string type);

    [LoggerMessage(4206, LogLevel.Warning, "Watch of {Resource} outlived its timeout without the server closing it; reconnecting")]
    public static partial void WatchStalled(ILogger logger, string resource);

    [LoggerMessage(4207, LogLevel.Warning, "{Resource} is not served by the API server (404; CRD not installed?); treating it as empty and checking again every {Seconds} s")]
    public static partial void ResourceMissing(ILogger logger, string resource, double seconds);

    [LoggerMessage(4220, LogLevel.Warning, "TokenReview at {Server} failed; the caller is refused: {Reason}")]
    public static partial void TokenReviewFailed(ILogger logger, string server, string reason);
}
