using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Mesh.Core.Model;
using Mesh.Waypoint.Tracing;
using Microsoft.AspNetCore.Http;
using static Mesh.Tests.Unit.Waypoint.WaypointTestBed;

namespace Mesh.Tests.Unit.Waypoint;

/// <summary>
/// The waypoint's spans on the loopback data path (<see cref="WaypointTestBed"/>), seen by an <see cref="ActivityListener"/>
/// on its source (what the OTLP exporter subscribes with), and the <c>traceparent</c> the backend receives. The tests of
/// this class run one at a time, so only they switch the listener on.
/// </summary>
public sealed class WaypointTracingTests
{
    private const string TraceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    private const string CallerSpan = "00f067aa0ba902b7";

    /// <summary>Spans of the waypoint's source, all sampled, for the listener's life.</summary>
    private sealed class Spans : IDisposable
    {
        private readonly ActivityListener _listener;

        public Spans()
        {
            _listener = new ActivityListener
            {
                ShouldListenTo = s => s.Name == WaypointTracing.SourceName,
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = a => Stopped.Enqueue(a),
            };
            ActivitySource.AddActivityListener(_listener);
        }

        public ConcurrentQueue<Activity> Stopped { get; } = new();

        public void Dispose() => _listener.Dispose();
    }

    private static HttpRoute RetryRoute() => new()
    {
        Name = "r",
        Namespace = "app",
        Parents = [new HttpRouteParent("Service", "app", "echo-v1", 80)],
        Rules = [new HttpRouteRule
        {
            Backends = [new HttpBackendRef("app", "echo-v1", 80)],
            Retry = new HttpRetry { Attempts = 3, Codes = [503], Backoff = TimeSpan.FromMilliseconds(1) },
        }],
    };

    /// <summary>The backend answers 503 to its first request, and records every traceparent it receives.</summary>
    private static ConcurrentQueue<string> FailOnceRecordingTraceparent(WaypointTestBed bed)
    {
        var seen = new ConcurrentQueue<string>();
        bed.Endpoints["echo-v1"].Behavior = (ctx, n) =>
        {
            seen.Enqueue(ctx.Request.Headers.TraceParent.ToString());
            if (n > 1)
            {
                return Task.FromResult(false);
            }
            ctx.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return Task.FromResult(true);
        };
        return seen;
    }

    [Fact]
    public async Task Get_CallerTraceparentAndOneRetry_ServerSpanAndAClientSpanPerAttemptInTheCallersTrace()
    {
        await using var bed = await StartAsync();
        bed.SetRoutes(RetryRoute());
        var seen = FailOnceRecordingTraceparent(bed);
        using var spans = new Spans();
        using var request = new HttpRequestMessage(HttpMethod.Get, "http://198.19.128.2/traced");
        request.Headers.TryAddWithoutValidation("traceparent", $"00-{TraceId}-{CallerSpan}-01");

        using var response = await bed.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var mine = spans.Stopped.Where(s => s.TraceId.ToHexString() == TraceId).ToList();
        var server = Assert.Single(mine, s => s.Kind == ActivityKind.Server);
        Assert.Equal(CallerSpan, server.ParentSpanId.ToHexString());
        Assert.Equal(200, server.GetTagItem("http.response.status_code"));
        var clients = mine.Where(s => s.Kind == ActivityKind.Client).OrderBy(s => s.StartTimeUtc).ToList();
        Assert.Equal(2, clients.Count);
        Assert.All(clients, c => Assert.Equal(server.SpanId, c.ParentSpanId));
        Assert.Equal([503, 200], clients.Select(c => c.GetTagItem("http.response.status_code")));
        Assert.Equal(1, clients[1].GetTagItem("http.request.resend_count"));
        // Each attempt carried its own span's context to the backend.
        Assert.Equal(clients.Select(c => $"00-{TraceId}-{c.SpanId.ToHexString()}-01"), seen);
    }

    [Fact]
    public async Task Get_NoTraceparent_WaypointStartsATraceAndTheBackendIsInIt()
    {
        await using var bed = await StartAsync();
        bed.SetRoutes(RetryRoute());
        var seen = FailOnceRecordingTraceparent(bed);
        bed.Endpoints["echo-v1"].Behavior = (ctx, _) =>
        {
            seen.Enqueue(ctx.Request.Headers.TraceParent.ToString());
            return Task.FromResult(false);
        };
        using var spans = new Spans();

        using var response = await bed.Client.GetAsync("http://198.19.128.2/untraced");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var sent = Assert.Single(seen);
        var trace = sent.Split('-')[1];
        var server = Assert.Single(spans.Stopped, s => s.Kind == ActivityKind.Server && s.TraceId.ToHexString() == trace);
        Assert.Equal(default, server.ParentSpanId);
        var client = Assert.Single(spans.Stopped, s => s.Kind == ActivityKind.Client && s.TraceId.ToHexString() == trace);
        Assert.Equal($"00-{trace}-{client.SpanId.ToHexString()}-01", sent);
    }

    [Fact]
    public async Task Get_TracingOff_CallersTraceparentReachesTheBackendUnchanged()
    {
        await using var bed = await StartAsync();
        bed.SetRoutes(RetryRoute());
        var seen = FailOnceRecordingTraceparent(bed);
        using var request = new HttpRequestMessage(HttpMethod.Get, "http://198.19.128.2/passthrough");
        request.Headers.TryAddWithoutValidation("traceparent", $"00-{TraceId}-{CallerSpan}-01");

        using var response = await bed.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal([$"00-{TraceId}-{CallerSpan}-01", $"00-{TraceId}-{CallerSpan}-01"], seen);
    }
}
