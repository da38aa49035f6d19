using System.Diagnostics;

namespace Mesh.Waypoint.Tracing;

/// <summary>
/// The upstream client's last handler: when the attempt runs under a waypoint client span (<see cref="WaypointTracing"/>),
/// the request carries that span's context (<c>traceparent</c>, and <c>tracestate</c> when it has one) in place of the
/// caller's, so the backend's spans are children of the attempt. Otherwise the headers stay as the caller sent them
/// (copied by the forwarder): the trace context passes through untouched.
/// </summary>
public sealed class TraceContextHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (Activity.Current is { Kind: ActivityKind.Client, IdFormat: ActivityIdFormat.W3C } span && ReferenceEquals(span.Source, WaypointTracing.Source))
        {
            request.Headers.Remove("traceparent");
            request.Headers.Remove("tracestate");
            request.Headers.TryAddWithoutValidation("traceparent", span.Id);
            if (span.TraceStateString is { Length: > 0 } state)
            {
                request.Headers.TryAddWithoutValidation("tracestate", state);
            }
        }
        return base.SendAsync(request, cancellationToken);
    }
}
