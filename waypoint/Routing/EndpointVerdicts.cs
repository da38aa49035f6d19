using System.Globalization;

namespace Mesh.Waypoint.Routing;

/// <summary>
/// Classifies an attempt for circuit breaking (pure). Failures: HTTP 5xx; the overload answers HTTP 429 and gRPC
/// RESOURCE_EXHAUSTED (8), which Linkerd 2.20 counts as failures for ejection too; the gRPC statuses Linkerd's
/// consecutive-failure policy counts (DEADLINE_EXCEEDED 4, INTERNAL 13, UNAVAILABLE 14, DATA_LOSS 15); and an attempt
/// with no response (connect failure, reset, per-attempt timeout). Everything else is a success; what says nothing
/// about the endpoint (the client gone, the request's own timeout) the caller records as <see cref="EndpointVerdict.Neutral"/>.
/// </summary>
public static class EndpointVerdicts
{
    /// <param name="status">The response status, or null when no response headers arrived (a failure).</param>
    /// <param name="grpcStatus">The <c>grpc-status</c> of the response (headers or trailers), when there was one.</param>
    public static EndpointVerdict Of(int? status, string? grpcStatus)
    {
        if (status is not { } code)
        {
            return EndpointVerdict.Failure;
        }
        if (code >= 500 || code == 429)
        {
            return EndpointVerdict.Failure;
        }
        return int.TryParse(grpcStatus, NumberStyles.None, CultureInfo.InvariantCulture, out var grpc) && grpc is 4 or 8 or 13 or 14 or 15
            ? EndpointVerdict.Failure
            : EndpointVerdict.Success;
    }
}
