using System.Diagnostics;
using System.Globalization;
using Mesh.Waypoint.Routing;
using Microsoft.AspNetCore.Http;

namespace Mesh.Waypoint.Tracing;

/// <summary>
/// The waypoint's spans (ActivitySource <see cref="SourceName"/>), W3C trace context: one server span per request,
/// child of the caller's <c>traceparent</c> when it sent one (else a new trace), and one client span per attempt,
/// child of the server span, whose context goes to the backend in <c>traceparent</c> (<see cref="TraceContextHandler"/>).
/// Attributes follow OpenTelemetry's HTTP conventions (<c>http.request.method</c>, <c>url.path</c>,
/// <c>http.response.status_code</c>, <c>server.address</c>/<c>server.port</c>, <c>http.request.resend_count</c>,
/// <c>error.type</c>). Without a listener (no exporter configured) nothing is created: each call is one check.
/// </summary>
public static class WaypointTracing
{
    public const string SourceName = "Mesh.Waypoint";

    public static readonly ActivitySource Source = new(SourceName);

    /// <summary>The server span of one request out of a tunnel, or null when nothing listens (or the sampler dropped it without propagation).</summary>
    public static Activity? StartServer(HttpContext ctx, string path)
    {
        if (!Source.HasListeners())
        {
            return null;
        }
        var headers = ctx.Request.Headers;
        ActivityContext.TryParse(headers.TraceParent.ToString(), headers.TraceState.ToString(), isRemote: true, out var parent);
        // The caller's context or none: ASP.NET Core's own request activity (never exported) must not become the parent.
        Activity.Current = null;
        var server = Source.StartActivity($"{ctx.Request.Method}", ActivityKind.Server, parent);
        if (server is { IsAllDataRequested: true })
        {
            server.SetTag("http.request.method", ctx.Request.Method);
            server.SetTag("url.path", path);
            server.SetTag("server.address", ctx.Request.Host.Value);
            server.SetTag("network.protocol.name", "http");
            server.SetTag("network.protocol.version", ctx.Request.Protocol.StartsWith("HTTP/", StringComparison.Ordinal) ? ctx.Request.Protocol[5..] : ctx.Request.Protocol);
        }
        return server;
    }

    /// <summary>The client span of attempt <paramref name="attempt"/> (1-based) to <paramref name="endpoint"/>; a child of the current (server) span.</summary>
    public static Activity? StartClient(Activity? server, string method, BackendEndpoint endpoint, string? service, int attempt)
    {
        if (server is null)
        {
            return null;
        }
        var client = Source.StartActivity(method, ActivityKind.Client, server.Context);
        if (client is { IsAllDataRequested: true })
        {
            client.SetTag("http.request.method", method);
            client.SetTag("server.address", endpoint.Address.Address.ToString());
            client.SetTag("server.port", endpoint.Address.Port);
            client.SetTag("mesh.destination.workload", endpoint.Workload.Name);
            client.SetTag("mesh.destination.service", service);
            if (attempt > 1)
            {
                client.SetTag("http.request.resend_count", attempt - 1);
            }
        }
        return client;
    }

    /// <summary>Ends a span with the status the peer (client span) or the client (server span) saw; null: no response, with <paramref name="error"/>.</summary>
    public static void Finish(Activity? span, int? status, string? error)
    {
        if (span is null)
        {
            return;
        }
        if (span.IsAllDataRequested)
        {
            if (status is { } s and > 0)
            {
                span.SetTag("http.response.status_code", s);
            }
            var failed = status is null or 0 || status >= 500 && span.Kind == ActivityKind.Server || status >= 400 && span.Kind == ActivityKind.Client;
            if (failed)
            {
                span.SetTag("error.type", error ?? (status is { } code and > 0 ? code.ToString(CultureInfo.InvariantCulture) : "no_response"));
                span.SetStatus(ActivityStatusCode.Error);
            }
        }
        span.Dispose();
    }
}
