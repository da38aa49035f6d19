using System.IO.Pipelines;
using System.Net;
using Mesh.Core.Identity;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.Extensions.Logging;

namespace Mesh.Waypoint.Inbound;

/// <summary>
/// Inbound HBONE (port 15008): each HTTP/2 CONNECT stream whose <c>:authority</c> is an <c>ip:port</c> becomes a
/// tunnel. The peer identity is the client certificate Kestrel already checked against the trust bundle. The
/// tunnel is answered 200 and handed to Kestrel again (<see cref="TunnelListenerFactory"/>) as an HTTP/1.1
/// connection; this request lasts as long as the tunnel. Non-CONNECT requests get 405, a bad authority 400.
/// </summary>
public sealed partial class HboneConnectHandler(TunnelListenerFactory tunnels, ILogger<HboneConnectHandler> logger)
{
    public async Task HandleAsync(HttpContext ctx)
    {
        if (!HttpMethods.IsConnect(ctx.Request.Method))
        {
            ctx.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            return;
        }
        var peer = ctx.Connection.ClientCertificate is { } cert ? SpiffeCertificate.Identity(cert) : null;
        if (peer is not { } identity)
        {
            // Kestrel refuses handshakes without a trusted certificate; this only guards against a configuration change.
            ctx.Response.StatusCode = StatusCodes.Status403Forbidden;
            return;
        }
        if (!IPEndPoint.TryParse(ctx.Request.Host.Value ?? "", out var target) || target.Port == 0)
        {
            Log.BadAuthority(logger, identity, ctx.Request.Host.Value);
            ctx.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }
        // A tunnel may stay idle or carry any amount: no data rate or body size limits on it.
        if (ctx.Features.Get<IHttpMinRequestBodyDataRateFeature>() is { } inRate)
        {
            inRate.MinDataRate = null;
        }
        if (ctx.Features.Get<IHttpMinResponseDataRateFeature>() is { } outRate)
        {
            outRate.MinDataRate = null;
        }
        if (ctx.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = null;
        }

        ctx.Response.StatusCode = StatusCodes.Status200OK;
        await ctx.Response.StartAsync(ctx.RequestAborted);
        await ctx.Response.Body.FlushAsync(ctx.RequestAborted);

        var source = ctx.Connection.RemoteIpAddress is { } ip ? new IPEndPoint(ip, ctx.Connection.RemotePort) : null;
        var feature = new TunnelFeature(target, identity, source);
        var connection = new TunnelConnection(feature, new Duplex(new TunnelInput(ctx.Request.BodyReader), ctx.Response.BodyWriter), _ => ctx.Abort());
        Log.TunnelOpened(logger, identity, target, source);
        if (!tunnels.Enqueue(connection))
        {
            ctx.Abort();
            return;
        }
        using (ctx.RequestAborted.Register(connection.PeerClosed))
        {
            await connection.Done;
        }
    }

    private sealed class Duplex(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;
        public PipeWriter Output { get; } = output;
    }

    private static partial class Log
    {
        [LoggerMessage(6100, LogLevel.Debug, "hbone: tunnel from {Peer} ({Source}) to {Target}")]
        public static partial void TunnelOpened(ILogger logger, SpiffeId peer, IPEndPoint target, IPEndPoint? source);

        [LoggerMessage(6101, LogLevel.Warning, "hbone: CONNECT from {Peer} with authority '{Authority}' refused (400): not ip:port")]
        public static partial void BadAuthority(ILogger logger, SpiffeId peer, string? authority);
    }
}
