using Microsoft.Extensions.Logging;

namespace Mesh.ControlPlane.Kubernetes;

/// <summary>Log messages of the Kubernetes registry; event ids 4100-4199.</summary>
internal static partial class KubeLog
{
    [LoggerMessage(4100, LogLevel.Information, "Kubernetes API {Server} ({Source})")]
    public static partial void Connecting(ILogger logger, string server, string source);

    [LoggerMessage(4101, LogLevel.Debug, "Listed {Resource}: {Count} objects at resourceVersion {ResourceVersion}, {Events} events emitted")]
    public static partial void Listed(ILogger logger, string resource, int count, string resourceVersion, int events);

    [LoggerMessage(4102, LogLevel.Information, "Watch of {Resource} expired at resourceVersion {ResourceVersion} (410 Gone); relisting")]
    public static partial void Relisting(ILogger logger, string resource, string? resourceVersion);

    [LoggerMessage(4103, LogLevel.Warning, "{Operation} of {Resource} failed, retrying with backoff: {Error}")]
    public static partial void Failed(ILogger logger, string resource, string operation, string error);

    [LoggerMessage(4104, LogLevel.Information, "Continue token of {Resource} expired during a paginated list; listing again")]
    public static partial void ContinueExpired(ILogger logger, string resource);

    [LoggerMessage(4105, LogLevel.Warning, "Watch of {Resource} received an unknown event type {Type}; ignored")]
    public static partial void UnknownEvent(ILogger logger, string resource, string type);

    [LoggerMessage(4106, LogLevel.Warning, "Watch of {Resource} outlived its timeout without the server closing it; reconnecting")]
    public static partial void WatchStalled(ILogger logger, string resource);
}
