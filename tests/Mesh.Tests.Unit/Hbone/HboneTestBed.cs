using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using Mesh.Core.Identity;
using Mesh.Tests.Common;
using Mesh.Core.Hbone;

namespace Mesh.Tests.Unit.Hbone;

/// <summary>
/// An HBONE server on a loopback port (accept loop + <see cref="HboneServer"/>) whose default handler forwards each
/// tunnel to its target over TCP, plus credentials from one test CA.
/// </summary>
internal sealed class HboneTestBed : IAsyncDisposable
{
    public static readonly SpiffeId ClientId = SpiffeId.Parse("spiffe://cluster.local/ns/client/sa/curl");
    public static readonly SpiffeId ServerId = SpiffeId.Parse("spiffe://cluster.local/ns/server/sa/echo");

    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly CancellationTokenSource _stop = new();

    public HboneTestBed(HboneHandler? handler = null, HboneServerOptions? options = null)
    {
        Ca = TestCa.Create();
        ServerCredential = Credential(Ca, ServerId);
        ClientCredential = Credential(Ca, ClientId);
        Handler = handler ?? Forward;
        Server = new HboneServer(options ?? new HboneServerOptions());
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(128);
        _ = AcceptLoopAsync();
    }

    public TestCa Ca { get; }

    public HboneServer Server { get; }

    public HboneHandler Handler { get; set; }

    public HboneCredential ServerCredential { get; set; }

    /// <summary>Where the server gets its credential per connection; by default <see cref="ServerCredential"/> at once.</summary>
    public HboneCredentialSource? CredentialSource { get; set; }

    public HboneCredential ClientCredential { get; }

    public IPEndPoint Address => (IPEndPoint)_listener.LocalEndPoint!;

    /// <summary>Outcome of each served connection, in completion order.</summary>
    public ConcurrentQueue<HboneError> Served { get; } = new();

    public int Accepted;

    /// <summary>Passed to <see cref="HboneServer.ServeAsync(Socket, HboneCredentialSource, HboneHandler, CancellationToken, HboneAdmission?)"/>.</summary>
    public HboneAdmission? Admission { get; set; }

    /// <summary>Token the served connections drain on.</summary>
    public CancellationTokenSource Drain { get; set; } = new();

    public static HboneCredential Credential(TestCa ca, SpiffeId id, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null, params TestCa[] extraRoots) =>
        new(ca.Issue(id.ToString(), notBefore, notAfter), [], [ca.Root, .. extraRoots.Select(r => r.Root)]);

    public HboneConnectRequest Request(IPEndPoint target, HboneCredential? source = null, SpiffeId? destination = null) =>
        new(source ?? ClientCredential, destination ?? ServerId, Address, target);

    /// <summary>The ztunnel-like handler: connect to the target, accept, copy both ways with half-close.</summary>
    public static async Task Forward(HboneInboundRequest request, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(request.Target, cancellationToken);
        }
        catch (SocketException)
        {
            socket.Dispose();
            request.Refuse(503);
            return;
        }
        var tunnel = request.Accept();
        await using var app = new NetworkStream(socket, ownsSocket: true);
        var up = Task.Run(async () =>
        {
            await tunnel.CopyToAsync(app, cancellationToken);
            socket.Shutdown(SocketShutdown.Send);
        }, CancellationToken.None);
        var down = Task.Run(async () =>
        {
            await app.CopyToAsync(tunnel, cancellationToken);
            tunnel.CompleteWrites();
        }, CancellationToken.None);
        await Task.WhenAll(up, down);
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Dispose();
        await _stop.CancelAsync();
        await Drain.CancelAsync();
        Ca.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync();
            }
            catch (Exception)
            {
                return;
            }
            Interlocked.Increment(ref Accepted);
            var drain = Drain.Token;
            _ = Task.Run(async () =>
            {
                var result = await Server.ServeAsync(socket, CredentialSource ?? (_ => ValueTask.FromResult(ServerCredential)), (r, ct) => Handler(r, ct), drain, Admission);
                Served.Enqueue(result);
            });
        }
    }
}
