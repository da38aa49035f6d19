using Mesh.Core.Model;

namespace Mesh.Waypoint.Routing;

/// <summary>How an attempt ended, as the retry policy sees it.</summary>
public enum AttemptOutcome
{
    /// <summary>Response headers arrived (the status decides).</summary>
    Response,
    /// <summary>The HBONE tunnel or TCP connection to the endpoint could not be opened (Envoy: connect-failure, UF).</summary>
    ConnectFailed,
    /// <summary>The connection broke before response headers (Envoy: reset, UC).</summary>
    Reset,
    /// <summary>timeouts.backendRequest expired before response headers (Envoy: per-try timeout, UT).</summary>
    AttemptTimedOut,
}

/// <summary>
/// Gateway API retry semantics (GEP-1731): <see cref="HttpRetry.Attempts"/> is the number of retries after the
/// first attempt; a response is retried when its status is in <see cref="HttpRetry.Codes"/>; connection failures,
/// resets and per-attempt timeouts are always retried; between attempts wait at least <see cref="HttpRetry.Backoff"/>
/// (default 25 ms, Envoy's), doubling per retry up to ten times the base. Pure.
/// </summary>
public static class RetryPolicy
{
    public static readonly TimeSpan DefaultBackoff = TimeSpan.FromMilliseconds(25);

    /// <param name="attemptsMade">Attempts so far, including the one that just ended (1 after the first).</param>
    public static bool ShouldRetry(HttpRetry? retry, int attemptsMade, AttemptOutcome outcome, int status)
    {
        if (retry is null || attemptsMade > retry.Attempts)
        {
            return false;
        }
        return outcome switch
        {
            AttemptOutcome.Response => retry.Codes.Contains(status),
            _ => true,
        };
    }

    /// <summary>A gRPC answer (HTTP 200) whose <c>grpc-status</c> is one of <see cref="HttpRetry.GrpcCodes"/>, within the attempts.</summary>
    public static bool ShouldRetryGrpc(HttpRetry? retry, int attemptsMade, int grpcStatus) =>
        retry is not null && attemptsMade <= retry.Attempts && retry.GrpcCodes.Contains(grpcStatus);

    /// <param name="retryNumber">1 for the first retry.</param>
    public static TimeSpan Backoff(HttpRetry retry, int retryNumber)
    {
        var baseInterval = retry.Backoff is { } b && b > TimeSpan.Zero ? b : DefaultBackoff;
        var factor = Math.Min(1L << Math.Min(retryNumber - 1, 20), 10);
        return baseInterval * factor;
    }
}
