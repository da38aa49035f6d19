using System.Diagnostics;
using System.Globalization;
using System.Net;
using Mesh.Core.Http;
using Mesh.Core.Metrics;
using Mesh.Core.Model;
using Mesh.Waypoint.Authorization;
using Mesh.Waypoint.Inbound;
using Mesh.Waypoint.Metrics;
using Mesh.Waypoint.Routing;
using Mesh.Waypoint.Tracing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Forwarder;

namespace Mesh.Waypoint.Forwarding;

/// <summary>
/// One HTTP request out of a tunnel: plan it (<see cref="RoutePlanner"/>), then carry out the plan: attempts to
/// endpoints of the chosen backend with the per-attempt timeout, retries per <see cref="RetryPolicy"/> with backoff,
/// all within the request timeout (504 when it expires). Each attempt is sent by YARP's <see cref="IHttpForwarder"/>
/// (headers, trailers, 100-continue, upgrades, cancellation both ways) over <c>upstream</c>, the HBONE-connecting
/// <see cref="UpstreamClient"/>; the decisions (route, policy, retry, endpoint) stay ours. Failures are answered
/// with Envoy's statuses and flags (403 RBAC, 503 UH/UF/NR, 504 UT, 404 NR, 500) and reported once: a log line and metrics.
/// L7 policy (<see cref="L7Authorizer"/>) runs first, as Envoy's RBAC filter runs before the router. Each attempt's
/// verdict feeds the backend's circuit breaker (<see cref="CircuitBreaking"/>), whose ejected endpoints the balancer skips.
/// With tracing on, a server span covers the request and a client span each attempt (<see cref="WaypointTracing"/>).
/// </summary>
public sealed partial class RequestForwarder(RouteTableStore routes, IHttpForwarder forwarder, HttpMessageInvoker upstream, RetryBudgets budgets,
    PeakEwmaBalancer balancer, CircuitBreaking breakers, MirrorSender mirrors, WaypointMetrics metrics, ILogger<RequestForwarder> logger)
{
    /// <summary>Request bodies up to this size are buffered so they can be retried; larger ones are streamed once.</summary>
    public const int MaxReplayBody = 64 * 1024;

    /// <summary>The response flag of a request whose retry the budget refused (Envoy's "upstream retry limit exceeded").</summary>
    public const string BudgetExhaustedFlag = "URX";

    public async Task HandleAsync(HttpContext ctx, TunnelFeature tunnel)
    {
        // One server span per request when tracing is on (WaypointTracing); otherwise this is the only cost.
        if (WaypointTracing.StartServer(ctx, ctx.Request.Path.Value ?? "/") is not { } server)
        {
            await HandleRequestAsync(ctx, tunnel);
            return;
        }
        try
        {
            await HandleRequestAsync(ctx, tunnel);
        }
        finally
        {
            WaypointTracing.Finish(server, ctx.RequestAborted.IsCancellationRequested ? 0 : ctx.Response.StatusCode, null);
        }
    }

    private async Task HandleRequestAsync(HttpContext ctx, TunnelFeature tunnel)
    {
        var started = Stopwatch.GetTimestamp();
        var table = routes.Current;
        var headers = ctx.Request.Headers;
        var facts = new RequestFacts(tunnel.Destination, ctx.Request.Method, ctx.Request.Path.Value ?? "/", ctx.Request.Host.Value,
            name => headers.TryGetValue(name, out var v) ? v.ToString() : null, ctx.Request.QueryString.Value ?? "");
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
            var notRouted = RouteFailures.Status(plan.Failure);
            Log.NotRouted(logger, ctx.Request.Method, facts.Path, tunnel.Destination, plan.Failure, notRouted);
            await WriteErrorAsync(ctx, notRouted, $"{plan.Failure}\n");
            Record(ctx, plan, source, tunnel, null, notRouted, RouteFailures.Flag(plan.Failure), started);
            return;
        }

        FilterApplier.Apply(ctx, plan);
        if (plan.Redirect is { } redirect)
        {
            ctx.Response.StatusCode = redirect.Status;
            ctx.Response.Headers.Location = redirect.Location;
            Record(ctx, plan, source, tunnel, null, redirect.Status, "-", started);
            return;
        }

        using var overall = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted);
        if (plan.RequestTimeout is { } requestTimeout)
        {
            overall.CancelAfter(requestTimeout);
        }
        if (!plan.Mirrors.IsEmpty)
        {
            await MirrorAsync(ctx, plan, overall.Token);
        }
        var outcome = await ForwardWithRetriesAsync(ctx, plan, overall);
        if (ctx.RequestAborted.IsCancellationRequested)
        {
            Record(ctx, plan, source, tunnel, outcome.Endpoint, 0, "DC", started);
            return;
        }
        if (outcome.Status is { } forwarded)
        {
            Record(ctx, plan, source, tunnel, outcome.Endpoint, forwarded, outcome.Flags, started);
            return;
        }
        var (status, flag, text) = overall.IsCancellationRequested || outcome.Kind == AttemptOutcome.AttemptTimedOut
            ? (504, "UT", "upstream request timeout\n")
            : (503, outcome.Kind == AttemptOutcome.ConnectFailed ? "UF" : "UC", "upstream connect error or disconnect/reset before headers\n");
        flag = outcome.Flags == BudgetExhaustedFlag ? $"{flag},{BudgetExhaustedFlag}" : flag;
        Log.UpstreamFailed(logger, ctx.Request.Method, facts.Path, plan.BackendService?.Key.ToString() ?? tunnel.Destination.ToString(),
            outcome.Attempts, outcome.Detail ?? flag, status);
        await WriteErrorAsync(ctx, status, text);
        Record(ctx, plan, source, tunnel, outcome.Endpoint, status, flag, started);
    }

    /// <summary>
    /// The attempts: each one is YARP's forwarding of the request to one endpoint, over <paramref name="overall"/> and the
    /// attempt's own timeout. A response whose status the retry policy retries is withheld by <see cref="AttemptTransformer"/>,
    /// so the client sees only the last attempt's answer.
    /// </summary>
    private async Task<Outcome> ForwardWithRetriesAsync(HttpContext ctx, RoutePlan plan, CancellationTokenSource overall)
    {
        var hasBody = RequestBodyBuffer.HasBody(ctx);
        byte[]? replay = null;
        if (hasBody && plan.Retry is not null)
        {
            try
            {
                replay = await RequestBodyBuffer.ReadAsync(ctx, MaxReplayBody, overall.Token);
            }
            catch (OperationCanceledException)
            {
                return new Outcome(null, 0, null, AttemptOutcome.AttemptTimedOut, "request timeout", "UT");
            }
        }
        var canRetry = !hasBody || replay is not null;
        var service = IstioLabels.ServiceName(plan.BackendService);
        var budget = plan.Retry is { } retry ? budgets.For(service, retry.Budget) : null;
        budget?.Deposit();
        var ejector = breakers.For(plan, service);
        var exhausted = false;
        // The policy says whether this outcome is retried; the budget whether a retry may be spent (counted once when not).
        bool Retry(int made, AttemptOutcome kind, int status) => Spend(RetryPolicy.ShouldRetry(plan.Retry, made, kind, status));
        bool Spend(bool policy)
        {
            if (!canRetry || budget is null || !policy)
            {
                return false;
            }
            if (budget.TryWithdraw())
            {
                return true;
            }
            exhausted = true;
            metrics.RecordRetrySkipped(service, "budget_exhausted");
            return false;
        }
        var config = new ForwarderRequestConfig
        {
            // Our timeouts (the route's) govern; YARP's idle timeout would cut long polls and upgraded streams.
            ActivityTimeout = Timeout.InfiniteTimeSpan,
            // The client's protocol is kept: h2c (prior knowledge) for HTTP/2, e.g. gRPC.
            Version = HttpProtocol.IsHttp2(ctx.Request.Protocol) ? HttpVersion.Version20 : HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        List<BackendEndpoint> failed = [];
        for (var attempt = 1; ; attempt++)
        {
            var pick = balancer.Pick(plan.Endpoints, Random.Shared, failed, ejector);
            var endpoint = pick.Endpoint;
            if (replay is not null)
            {
                ctx.Request.Body = new MemoryStream(replay, writable: false);
            }
            using var attemptCts = CancellationTokenSource.CreateLinkedTokenSource(overall.Token);
            if (plan.BackendTimeout is { } perTry)
            {
                attemptCts.CancelAfter(perTry);
            }
            var made = attempt;
            var transformer = new AttemptTransformer(endpoint, connect =>
            {
                // One attempt up to its headers: that is what the per-attempt timeout bounds and the balancer measures
                // (less the connection's opening).
                attemptCts.CancelAfter(Timeout.InfiniteTimeSpan);
                pick.Complete(excluded: connect);
            }, status => Retry(made, AttemptOutcome.Response, status),
                plan.Retry is { GrpcCodes.IsEmpty: false } ? grpc => Spend(RetryPolicy.ShouldRetryGrpc(plan.Retry, made, grpc)) : null);
            // The attempt's client span is Activity.Current while it is sent: TraceContextHandler sends its context.
            var span = WaypointTracing.StartClient(Activity.Current, ctx.Request.Method, endpoint, service, attempt);
            var error = await forwarder.SendAsync(ctx, $"http://{endpoint.Address}", upstream, config, transformer, attemptCts.Token);
            WaypointTracing.Finish(span, transformer.ResponseStatus, error == ForwarderError.None ? null : error.ToString());
            pick.Complete(failed: transformer.ResponseStatus is null);
            breakers.Record(ejector, service, endpoint, plan.Endpoints, ctx, transformer.ResponseStatus,
                neutral: ctx.RequestAborted.IsCancellationRequested || (transformer.ResponseStatus is null && overall.IsCancellationRequested));
            if (transformer.ResponseStatus is { } status && !transformer.Withheld)
            {
                if (error == ForwarderError.None)
                {
                    return new Outcome(endpoint, attempt, status, AttemptOutcome.Response, null, exhausted ? BudgetExhaustedFlag : "-");
                }
                // Headers are gone already (YARP reset the client's stream): the only honest signal left is a broken connection.
                if (!ctx.Response.HasStarted)
                {
                    ctx.Abort();
                }
                return new Outcome(endpoint, attempt, status, AttemptOutcome.Response, null, overall.IsCancellationRequested ? "UT" : "UPE");
            }
            if (ctx.RequestAborted.IsCancellationRequested)
            {
                return new Outcome(endpoint, attempt, null, AttemptOutcome.Reset, "client disconnected", "DC");
            }
            if (overall.IsCancellationRequested)
            {
                return new Outcome(endpoint, attempt, null, AttemptOutcome.AttemptTimedOut, "request timeout", "UT");
            }
            var exception = ctx.Features.Get<IForwarderErrorFeature>()?.Exception;
            var kind = transformer.Withheld ? AttemptOutcome.Response : AttemptOutcomes.BeforeHeaders(error, exception, attemptCts.IsCancellationRequested);
            var detail = kind switch
            {
                AttemptOutcome.Response when transformer.GrpcStatus is { } grpc => "grpc_" + GrpcStatusCodes.Name(grpc).ToLowerInvariant(),
                AttemptOutcome.Response => transformer.ResponseStatus!.Value.ToString(CultureInfo.InvariantCulture),
                AttemptOutcome.AttemptTimedOut => "per-attempt timeout",
                _ => AttemptOutcomes.Detail(error, exception),
            };
            if (!transformer.Withheld && !Retry(attempt, kind, 0))
            {
                return new Outcome(endpoint, attempt, null, kind, detail, exhausted ? BudgetExhaustedFlag : "-");
            }
            // The withheld or failed attempt left YARP's status (the upstream's, or 502) and error on the context.
            ctx.Response.Clear();
            ctx.Features.Set<IForwarderErrorFeature>(null);
            failed.Add(endpoint);
            metrics.RecordRetry(service, kind switch
            {
                AttemptOutcome.Response => detail,
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
                return new Outcome(endpoint, attempt, null, AttemptOutcome.AttemptTimedOut, "request timeout", "UT");
            }
        }
    }

    /// <summary>Starts the mirrors' copies; the body is buffered first (a request cancelled meanwhile is not mirrored and fails on its own).</summary>
    private async Task MirrorAsync(HttpContext ctx, RoutePlan plan, CancellationToken cancellationToken)
    {
        try
        {
            mirrors.Send(ctx, plan, RequestBodyBuffer.HasBody(ctx) ? await RequestBodyBuffer.ReadAsync(ctx, MaxReplayBody, cancellationToken) : []);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void Record(HttpContext ctx, RoutePlan plan, Workload? source, TunnelFeature tunnel, BackendEndpoint? endpoint, int status, string flags, long started) =>
        metrics.RecordRequest(RequestLabels.Build(source, tunnel.PeerIdentity, plan.BackendService ?? plan.DestinationService,
            endpoint?.Workload, status, flags, mutualTls: true, plan.Route?.Name,
            grpc: ctx.Request.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) == true),
            Stopwatch.GetElapsedTime(started).TotalMilliseconds);

    private static async Task WriteErrorAsync(HttpContext ctx, int status, string text)
    {
        if (ctx.Response.HasStarted)
        {
            ctx.Abort();
            return;
        }
        ctx.Response.Clear();
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "text/plain";
        await ctx.Response.WriteAsync(text);
    }

    /// <summary>How the request ended: <see cref="Status"/> set when a response went to the client (with its flags), else the last attempt's failure.</summary>
    private readonly record struct Outcome(BackendEndpoint? Endpoint, int Attempts, int? Status, AttemptOutcome Kind, string? Detail, string Flags);

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
