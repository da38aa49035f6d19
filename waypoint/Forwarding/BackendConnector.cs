using System.Net;
using System.Net.Sockets;
using Mesh.Core.Hbone;
using Mesh.Waypoint.Identity;
using Mesh.Waypoint.Routing;

namespace Mesh.Waypoint.Forwarding;

/// <summary>
/// The <see cref="SocketsHttpHandler.ConnectCallback"/> of the upstream client: the request carries the endpoint
/// chosen for the attempt; a captured endpoint is reached through an HBONE tunnel to its ip:15008 (<c>:authority</c>
/// = ip:targetPort) presenting the waypoint's certificate and checking the endpoint's identity; an endpoint outside
/// the mesh gets plain TCP. HttpClient pools the resulting connections per endpoint (the request URI is the
/// endpoint's address), so one tunnel carries many sequential requests.
/// </summary>
public sealed class BackendConnector(HboneClient hbone, WaypointIdentity identity)
{
    public const int HbonePort = 15008;

    public static readonly HttpRequestOptionsKey<BackendEndpoint> EndpointKey = new("mesh.endpoint");

    /// <summary>
    /// How long opening the connection took, set on the request that asked for it: the balancer leaves it out of that
    /// attempt's latency (a TLS handshake says nothing about how fast the endpoint answers; Linkerd's balancer, too,
    /// measures only requests on connections that are up).
    /// </summary>
    public static readonly HttpRequestOptionsKey<TimeSpan> ConnectTimeKey = new("mesh.connect-time");

    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var stream = await OpenAsync(context, cancellationToken);
        context.InitialRequestMessage.Options.Set(ConnectTimeKey, System.Diagnostics.Stopwatch.GetElapsedTime(started));
        return stream;
    }

    private async ValueTask<Stream> OpenAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        if (!context.InitialRequestMessage.Options.TryGetValue(EndpointKey, out var endpoint))
        {
            throw new HttpRequestException(HttpRequestError.ConnectionError, $"no endpoint chosen for {context.DnsEndPoint}");
        }
        if (!endpoint.Captured)
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(endpoint.Address, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException e)
            {
                socket.Dispose();
                throw new HttpRequestException(HttpRequestError.ConnectionError, $"connect to {endpoint.Address}: {e.SocketErrorCode}", e);
            }
        }
        var credential = identity.Current
            ?? throw new HttpRequestException(HttpRequestError.ConnectionError, "the waypoint has no certificate yet");
        var result = await hbone.ConnectAsync(new HboneConnectRequest(credential, endpoint.Workload.Identity,
            new IPEndPoint(endpoint.Address.Address, HbonePort), endpoint.Address), cancellationToken);
        if (!result.IsSuccess)
        {
            throw new HttpRequestException(HttpRequestError.ConnectionError,
                $"hbone to {endpoint.Address} ({endpoint.Workload.Identity}): {result.Error}{(result.Detail is null ? "" : " " + result.Detail)}");
        }
        return result.Stream!;
    }
}
