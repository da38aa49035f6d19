using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Mesh.Core.Hbone;
using Mesh.Core.Identity;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mesh.Tests.Unit.Waypoint;

/// <summary>
/// One endpoint pod as the waypoint meets it: an HBONE server standing in for its ztunnel (records the peer identity
/// and target of each tunnel, relays to the app) and the app, a Kestrel HTTP/1.1 server on loopback. The app answers
/// 200 with <c>x-backend: NAME</c> and a body "NAME BYTES SHA256" of the request body, unless <see cref="Behavior"/>
/// (given the 1-based request number) answers otherwise.
/// </summary>
internal sealed class FakeEndpoint : IAsyncDisposable
{
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly HboneServer _server = new(new HboneServerOptions());
    private WebApplication _app = null!;
    private int _appPort;
    private int _requests;
    private int _tunnels;

    private FakeEndpoint(string name, IPAddress modelAddress)
    {
        Name = name;
        ModelAddress = modelAddress;
    }

    public string Name { get; }
    public IPAddress ModelAddress { get; }
    public int HbonePort => ((IPEndPoint)_listener.LocalEndPoint!).Port;
    public int Requests => Volatile.Read(ref _requests);
    public int Tunnels => Volatile.Read(ref _tunnels);
    public ConcurrentQueue<(SpiffeId Peer, IPEndPoint Target)> TunnelLog { get; } = new();
    public ConcurrentQueue<(string Host, string Target)> RequestLog { get; } = new();
    public ConcurrentQueue<string> Protocols { get; } = new();
    public Func<HttpContext, int, Task<bool>>? Behavior { get; set; }

    public static async Task<FakeEndpoint> StartAsync(string name, IPAddress modelAddress, HboneCredential credential, CancellationToken stop)
    {
        var e = new FakeEndpoint(name, modelAddress);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AllowAlternateSchemes = true;
            k.Listen(IPAddress.Loopback, 0, listen =>
            {
                listen.Protocols = Microsoft.AspNetCore.Server.Kestrel.Core.HttpProtocols.Http1AndHttp2;
                listen.Use(Mesh.Core.Http.H2cDetection.Middleware);
            });
        });
        e._app = builder.Build();
        e._app.UseWebSockets();
        e._app.Run(e.ServeAsync);
        await e._app.StartAsync(stop);
        e._appPort = new Uri(e._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;
        e._listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        e._listener.Listen(64);
        _ = e.AcceptLoopAsync(credential, stop);
        return e;
    }

    private async Task ServeAsync(HttpContext ctx)
    {
        var n = Interlocked.Increment(ref _requests);
        RequestLog.Enqueue((ctx.Request.Host.Value ?? "", ctx.Request.Path + ctx.Request.QueryString));
        Protocols.Enqueue(ctx.Request.Protocol);
        if (Behavior is { } b && await b(ctx, n))
        {
            return;
        }
        using var body = new MemoryStream();
        await ctx.Request.Body.CopyToAsync(body, ctx.RequestAborted);
        ctx.Response.Headers["x-backend"] = Name;
        await ctx.Response.WriteAsync($"{Name} {body.Length} {Convert.ToHexString(SHA256.HashData(body.ToArray()))}");
    }

    private async Task AcceptLoopAsync(HboneCredential credential, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync(stop);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            _ = _server.ServeAsync(socket, _ => ValueTask.FromResult(credential), RelayAsync, stop);
        }
    }

    private async Task RelayAsync(HboneInboundRequest request, CancellationToken ct)
    {
        Interlocked.Increment(ref _tunnels);
        TunnelLog.Enqueue((request.PeerIdentity, request.Target));
        if (!request.Target.Address.Equals(ModelAddress) || request.Target.Port != 8080)
        {
            request.Refuse(400);
            return;
        }
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, _appPort), ct);
        var tunnel = request.Accept();
        await using var app = new NetworkStream(socket, ownsSocket: true);
        var up = Task.Run(async () =>
        {
            await tunnel.CopyToAsync(app, ct);
            socket.Shutdown(SocketShutdown.Send);
        }, CancellationToken.None);
        var down = Task.Run(async () =>
        {
            await app.CopyToAsync(tunnel, ct);
            tunnel.CompleteWrites();
        }, CancellationToken.None);
        try
        {
            await Task.WhenAll(up, down);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or SocketException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Dispose();
        using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(stopping.Token);
        await _app.DisposeAsync();
    }
}
