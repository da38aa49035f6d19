using System.Net;
using Mesh.Core.Hbone;
using Mesh.Core.Identity;

namespace Mesh.Fuzz.Targets;

/// <summary>
/// The server side of an HBONE CONNECT after TLS (<see cref="HboneServer"/> -> <see cref="HboneInboundRequest"/>):
/// what an authenticated peer sends on 15008. The handler accepts targets on odd ports (200, then echoes the
/// tunnel like an app would) and refuses the others with 403, so both answers and the tunnel data path run.
/// </summary>
internal sealed class HboneConnectTarget : IFuzzTarget
{
    private static readonly SpiffeId Peer = new("cluster.local", "fuzz", "peer");
    private static readonly EndPoint Remote = new IPEndPoint(IPAddress.Loopback, 40000);

    public string Name => "hbone-connect";

    public void Run(byte[] input)
    {
        var harness = new Http2Harness();
        var server = new HboneServer(new HboneServerOptions { Http2 = Http2Harness.Options, HandshakeTimeout = TimeSpan.FromSeconds(2) });
        var served = server.ServeHttp2Async(harness.Transport(input), Peer, Remote, (request, ct) => HandleAsync(harness, request, ct), CancellationToken.None);
        harness.Wait(served, Name);
    }

    private static async Task HandleAsync(Http2Harness harness, HboneInboundRequest request, CancellationToken cancellationToken)
    {
        harness.Started();
        try
        {
            if (request.Target.Port % 2 == 0)
            {
                request.Refuse(403);
                harness.Answered();
                return;
            }
            var tunnel = request.Accept();
            harness.Answered();
            var buffer = new byte[4096];
            int n;
            while ((n = await tunnel.ReadAsync(buffer, cancellationToken)) > 0)
            {
                await tunnel.WriteAsync(buffer.AsMemory(0, n), cancellationToken);
            }
            tunnel.CompleteWrites();
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            // reset or connection gone: the tunnel ends, as ztunnel's relay does
        }
        finally
        {
            harness.Finished();
        }
    }
}
