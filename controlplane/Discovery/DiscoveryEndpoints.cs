using System.Diagnostics;
using System.Text.Json;
using Mesh.ControlPlane.Ca;
using Mesh.ControlPlane.Metrics;
using Mesh.Core.Discovery;
using Mesh.Core.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mesh.ControlPlane.Discovery;

/// <summary>
/// <c>POST /mesh.discovery.v1/stream</c> (see <see cref="DiscoveryWire"/>): authenticates the proxy by its
/// node token (before reading the body), reads a body capped and checked by <see cref="DiscoveryRequestCheck"/>, then writes the first message (full or delta, per <see cref="DeltaPlanner"/>) and one delta
/// per new version until the proxy goes away. A slow proxy is never queued behind: each write carries it
/// from the version it has to the newest one.
/// </summary>
public static partial class DiscoveryEndpoints
{
    public static IEndpointConventionBuilder MapDiscovery(this IEndpointRouteBuilder routes) =>
        routes.MapPost(DiscoveryWire.StreamPath, StreamAsync);

    private static async Task StreamAsync(HttpContext ctx, DiscoveryState state, INodeAuthenticator authenticator,
        ControlPlaneMetrics metrics, ILoggerFactory loggers, TimeProvider time)
    {
        var log = loggers.CreateLogger("Mesh.ControlPlane.Discovery");
        if (!ctx.Request.IsHttps)
        {
            ctx.Response.StatusCode = 404;
            return;
        }
        var auth = await authenticator.AuthenticateAsync(CaEndpoints.BearerToken(ctx), ctx.RequestAborted);
        if (!auth.Ok)
        {
            ctx.Response.StatusCode = 401;
            await ctx.Response.WriteAsync(auth.Error + "\n", ctx.RequestAborted);
            return;
        }
        if (!CaEndpoints.LimitBody(ctx, DiscoveryRequestCheck.MaxBodyBytes))
        {
            await RefuseAsync(ctx, 413, $"the request is {ctx.Request.ContentLength} bytes, more than {DiscoveryRequestCheck.MaxBodyBytes}; reconnect without 'have'");
            return;
        }
        DiscoveryRequest request;
        try
        {
            request = ctx.Request.ContentLength == 0
                ? new DiscoveryRequest()
                : await JsonSerializer.DeserializeAsync(ctx.Request.Body, DiscoveryJson.Context.DiscoveryRequest, ctx.RequestAborted) ?? new DiscoveryRequest();
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            await RefuseAsync(ctx, 413, $"the request is larger than {DiscoveryRequestCheck.MaxBodyBytes} bytes; reconnect without 'have'");
            return;
        }
        catch (JsonException e)
        {
            await RefuseAsync(ctx, 400, $"bad discovery request: {UntrustedText.Bound(e.Message)}");
            return;
        }
        if (DiscoveryRequestCheck.Problem(request) is { } problem)
        {
            await RefuseAsync(ctx, 400, $"bad discovery request: {problem}");
            return;
        }
        var view = new DiscoveryView(auth.Node, ctx.Request.Query["view"] == DiscoveryWire.ViewFull);
        ctx.Features.Get<IHttpMinResponseDataRateFeature>()?.MinDataRate = null;
        ctx.Features.Get<IHttpMinRequestBodyDataRateFeature>()?.MinDataRate = null;

        var ct = ctx.RequestAborted;
        metrics.ProxyConnected();
        Log.Connected(log, UntrustedText.Bound(auth.Node), view.Full ? "full" : "node", request.Epoch ?? "-", request.Version);
        try
        {
            ctx.Response.StatusCode = 200;
            ctx.Response.ContentType = DiscoveryWire.ContentType;
            await ctx.Response.StartAsync(ct);
            string? epoch = request.Epoch;
            var version = request.Version;
            var have = request.Have;
            while (!ct.IsCancellationRequested)
            {
                var next = state.NextAsync(ct);
                if (state.Current is { } snapshot && (epoch != snapshot.Epoch || version != snapshot.Version || have is not null))
                {
                    var plan = DeltaPlanner.Plan(snapshot, state.History, view, epoch, version, have);
                    DiscoveryMessageWriter.Write(ctx.Response.BodyWriter, snapshot, view, plan);
                    await ctx.Response.BodyWriter.FlushAsync(ct);
                    metrics.RecordPush(plan.IsFull);
                    if (!plan.IsFull && version != 0)
                    {
                        metrics.RecordPushLatency(time.GetElapsedTime(snapshot.PublishedAtTimestamp));
                    }
                    (epoch, version, have) = (snapshot.Epoch, snapshot.Version, null);
                }
                await next;
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (IOException)
        {
        }
        finally
        {
            metrics.ProxyDisconnected();
            Log.Disconnected(log, UntrustedText.Bound(auth.Node));
        }
    }

    private static async Task RefuseAsync(HttpContext ctx, int status, string message)
    {
        ctx.Response.StatusCode = status;
        await ctx.Response.WriteAsync(message + "\n", ctx.RequestAborted);
    }

    private static partial class Log
    {
        [LoggerMessage(4310, LogLevel.Information, "discovery: node {Node} connected ({View} view, resuming from {Epoch}/{Version})")]
        public static partial void Connected(ILogger logger, string node, string view, string epoch, long version);

        [LoggerMessage(4311, LogLevel.Information, "discovery: node {Node} disconnected")]
        public static partial void Disconnected(ILogger logger, string node);
    }
}
