using System.Diagnostics;
using Mesh.Core.Metrics;
using Mesh.Core.Model;
using Mesh.Waypoint.Authorization;
using Mesh.Waypoint.Inbound;
using Mesh.Waypoint.Metrics;
using Mesh.Waypoint.Routing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Mesh.Waypoint.Forwarding;

/// <summary>
/// One HTTP request out of a tunnel: plan it (<see cref="RoutePlanner"/>), then carry out the plan: attempts to
/// endpoints of the chosen backend with the per-attempt timeout, retries per <see cref="RetryPolicy"/> with backoff,
/// all within the request timeout (504 when it expires), and the response streamed back. Failures are answered
/// with Envoy's statuses and flags (403 RBAC, 503 UH/UF/NR, 504 UT, 404 NR, 500) and reported once: a log line and metrics.
/// L7 policy (<see cref="L7Authorizer"/>) runs first, as Envoy's RBAC filter runs before the router.
/// </summary>
public sealed partial class RequestForwarder(RouteTableStore routes, HttpMessageInvoker upstream, WaypointMetrics metrics, ILogger<RequestForwarder> logger)
{
    /// <summary>Request bodies up to this size are buffered so they can be retried; larger ones are streamed once.</summary>
    public const int MaxReplayBody = 64 * 1024;

    public async Task HandleAsync(HttpContext ctx, TunnelFeature tunnel)
    {
        var started = Stopwatch.GetTimestamp();
        var table = routes.Current;
        var headers = ctx.Request.Headers;
        var facts = new RequestFacts(tunnel.Destination, ctx.Request.Method, ctx.Request.Path.Value ?? "/", ctx.Request.Host.Value,
            name => headers.TryGetValue(name, out var v) ? v.ToString() : null);
        var plan = RoutePlanner.Plan(table, facts, Random.Shared);
        var source = tunnel.Source is { } src ? table.State.WorkloadsByAddress.GetValueOrDefault(src.Address) : null;
        var authz = L7Authorizer.Authorize(table.Policies, table.Waypoint, plan.DestinationService,
            new L7RequestFacts(tunnel.PeerIdentity, tunnel.Destination.Port, ctx.Request.Method, facts.Path));
        if (!authz.Allowed)
        {
            Log.Denied(logger, ctx.Request.Method, facts.Path, tunnel.Destination, tunnel.PeerIdentity, authz.Policy ?? "-");
            await WriteErrorAsync(ctx, StatusCodes.Status403Forbidden, "RBAC: access denied\n");
            Record(ctx, plan, source, tunnel, null, StatusCodes.Status403Forbidden, "RBAC", started);
            return;
        }
        if (!plan.IsSuccess)
        {
            var status = RouteFailures.Status(plan.Failure);
            Log.NotRouted(logger, ctx.Request.Method, facts.Path, tunnel.Destination, plan.Failure, status);
            await WriteErrorAsync(ctx, status, $"{plan.Failure}\n");
            Record(ctx, plan, source, tunnel, null, status, RouteFailures.Flag(plan.Failure), started);
            return;
        }

        using var overall = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted);
        if (plan.RequestTimeout is { } requestTimeout)
        {
            overall.CancelAfter(requestTimeout);
        }
        var outcome = await SendWithRetriesAsync(ctx, plan, overall);
        if (ctx.RequestAborted.IsCancellationRequested)
        {
            outcome.Response?.Dispose();
            Record(ctx, plan, source, tunnel, outcome.Endpoint, 0, "DC", started);
            return;
        }
        if (outcome.Response is not { } response)
        {
            var (status, flag, text) = overall.IsCancellationRequested || outcome.Kind == AttemptOutcome.AttemptTimedOut
                ? (504, "UT", "upstream request timeout\n")
                : (503, outcome.Kind == AttemptOutcome.ConnectFailed ? "UF" : "UC", "upstream connect error or disconnect/reset before headers\n");
            Log.UpstreamFailed(logger, ctx.Request.Method, facts.Path, plan.BackendService?.Key.ToString() ?? tunnel.Destination.ToString(),
                outcome.Attempts, outcome.Detail ?? flag, status);
            await WriteErrorAsync(ctx, status, text);
            Record(ctx, plan, source, tunnel, outcome.Endpoint, status, flag, started);
            return;
        }
        using (response)
        {
            MessageCopier.ToClient(response, ctx.Response);
            var flags = "-";
            try
            {
                await using var body = await response.Content.ReadAsStreamAsync(overall.Token);
                await body.CopyToAsync(ctx.Response.Body, overall.Token);
                MessageCopier.TrailersToClient(response, ctx.Response);
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or HttpRequestException)
            {
                // Headers are gone already: the only honest signal left is to break the client's connection.
                flags = overall.IsCancellationRequested ? "UT" : "UPE";
                ctx.Abort();
            }
            Record(ctx, plan, source, tunnel, outcome.Endpoint, (int)response.StatusCode, flags, started);
        }
    }

    private async Task<Outcome> SendWithRetriesAsync(HttpContext ctx, RoutePlan plan, CancellationTokenSource overall)
    {
        var hasBody = ctx.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestBodyDetectionFeature>()?.CanHaveBody
            ?? (ctx.Request.ContentLength > 0 || ctx.Request.Headers.TransferEncoding.Count > 0);
        byte[]? replay = null;
        if (hasBody && plan.Retry is not null && ctx.Request.ContentLength is <= MaxReplayBody)
        {
            using var buffer = new MemoryStream();
            await ctx.Request.Body.CopyToAsync(buffer, overall.Token);
            replay = buffer.ToArray();
        }
        var canRetry = !hasBody || replay is not null;
        List<BackendEndpoint> failed = [];
        var result = new Outcome(null, null, AttemptOutcome.Reset, 0, null);
        for (var attempt = 1; ; attempt++)
        {
            var endpoint = EndpointPicker.Pick(plan.Endpoints, Random.Shared, failed);
            HttpContent? content = replay is not null ? new ByteArrayContent(replay) : hasBody ? new StreamContent(ctx.Request.Body) : null;
            using var message = MessageCopier.ToUpstream(ctx, endpoint.Address.ToString(), content);
            message.Options.Set(BackendConnector.EndpointKey, endpoint);
            using var attemptCts = CancellationTokenSource.CreateLinkedTokenSource(overall.Token);
            if (plan.BackendTimeout is { } perTry)
            {
                attemptCts.CancelAfter(perTry);
            }
            try
            {
                var response = await upstream.SendAsync(message, attemptCts.Token);
                result = new Outcome(response, endpoint, AttemptOutcome.Response, attempt, null);
            }
            catch (OperationCanceledException) when (overall.IsCancellationRequested)
            {
                return new Outcome(null, endpoint, AttemptOutcome.AttemptTimedOut, attempt, "request timeout");
            }
            catch (OperationCanceledException)
            {
                result = new Outcome(null, endpoint, AttemptOutcome.AttemptTimedOut, attempt, "per-attempt timeout");
            }
            catch (HttpRequestException e)
            {
                result = new Outcome(null, endpoint, e.HttpRequestError == HttpRequestError.ConnectionError ? AttemptOutcome.ConnectFailed : AttemptOutcome.Reset,
                    attempt, e.Message);
            }
            var status = result.Response is { } r ? (int)r.StatusCode : 0;
            if (!canRetry || !RetryPolicy.ShouldRetry(plan.Retry, attempt, result.Kind, status))
            {
                return result;
            }
            result.Response?.Dispose();
            failed.Add(endpoint);
            metrics.RecordRetry(IstioLabels.ServiceName(plan.BackendService), result.Kind switch
            {
                AttemptOutcome.Response => status.ToString(System.Globalization.CultureInfo.InvariantCulture),
                AttemptOutcome.ConnectFailed => "connect_failure",
                AttemptOutcome.AttemptTimedOut => "per_try_timeout",
                _ => "reset",
            });
            try
            {
                await Task.Delay(RetryPolicy.Backoff(plan.Retry!, attempt), overall.Token);
            }
            catch (OperationCanceledException)
            {
                return result with { Response = null, Kind = AttemptOutcome.AttemptTimedOut, Detail = "request timeout" };
            }
        }
    }

    private void Record(HttpContext ctx, RoutePlan plan, Workload? source, TunnelFeature tunnel, BackendEndpoint? endpoint, int status, string flags, long started) =>
        metrics.RecordRequest(RequestLabels.Build(source, tunnel.PeerIdentity, plan.BackendService ?? plan.DestinationService,
            endpoint?.Workload, status, flags, mutualTls: true, grpc: ctx.Request.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) == true), Stopwatch.GetElapsedTime(started).TotalMilliseconds);

    private static async Task WriteErrorAsync(HttpContext ctx, int status, string text)
    {
        if (ctx.Response.HasStarted)
        {
            ctx.Abort();
            return;
        }
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "text/plain";
        await ctx.Response.WriteAsync(text);
    }

    private readonly record struct Outcome(HttpResponseMessage? Response, BackendEndpoint? Endpoint, AttemptOutcome Kind, int Attempts, string? Detail);

    private static partial class Log
    {
        [LoggerMessage(6200, LogLevel.Information, "route: {Method} {Path} to {Destination}: {Failure} ({Status})")]
        public static partial void NotRouted(ILogger logger, string method, string path, System.Net.IPEndPoint destination, RouteFailure failure, int status);

        [LoggerMessage(6202, LogLevel.Information, "authz: {Method} {Path} to {Destination} from {Peer} denied (403) by {Policy}")]
        public static partial void Denied(ILogger logger, string method, string path, System.Net.IPEndPoint destination, Mesh.Core.Identity.SpiffeId peer, string policy);

        [LoggerMessage(6201, LogLevel.Information, "upstream: {Method} {Path} to {Backend} failed after {Attempts} attempt(s): {Detail} ({Status})")]
        public static partial void UpstreamFailed(ILogger logger, string method, string path, string backend, int attempts, string detail, int status);
    }
}
