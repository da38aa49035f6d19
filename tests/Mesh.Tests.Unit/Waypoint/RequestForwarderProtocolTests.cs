using System.Net;
using System.Net.WebSockets;
using System.Text;
using Mesh.Core.Model;
using Microsoft.AspNetCore.Http;
using static Mesh.Tests.Unit.Waypoint.WaypointTestBed;

namespace Mesh.Tests.Unit.Waypoint;

/// <summary>
/// What the waypoint's forwarding gets from YARP's IHttpForwarder, end to end on loopback (<see cref="WaypointTestBed"/>):
/// gRPC-style trailers, Expect: 100-continue answered by the backend, an HTTP/1.1 WebSocket upgrade, the client's
/// cancellation reaching the backend, and retried responses withheld from the client.
/// </summary>
public sealed class RequestForwarderProtocolTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Grpc_TrailersOnlyError_StatusAndMessageReachClient()
    {
        await using var bed = await StartAsync();
        bed.Endpoints["echo-v1"].Behavior = (ctx, _) =>
        {
            ctx.Response.ContentType = "application/grpc";
            ctx.Response.AppendTrailer("grpc-status", "14");
            ctx.Response.AppendTrailer("grpc-message", "backend draining");
            return Task.FromResult(true);
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, "http://198.19.128.2/pkg.Service/Call")
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent([0, 0, 0, 0, 0]),
        };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/grpc");

        using var response = await bed.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal("14", response.TrailingHeaders.GetValues("grpc-status").Single());
        Assert.Equal("backend draining", response.TrailingHeaders.GetValues("grpc-message").Single());
    }

    [Fact]
    public async Task ExpectContinue_BackendAnswersWithoutReading_ClientGetsFinalStatusWithoutContinue()
    {
        await using var bed = await StartAsync();
        string? expect = null;
        bed.Endpoints["echo-v1"].Behavior = (ctx, _) =>
        {
            expect = ctx.Request.Headers.Expect;
            ctx.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Task.FromResult(true);
        };
        // A raw HTTP/1.1 client in the tunnel, announcing a body above SocketsHttpHandler's 1 KiB send-anyway threshold; what the waypoint answers is seen byte for byte.
        var tunnel = await bed.ClientHbone.ConnectAsync(new Mesh.Core.Hbone.HboneConnectRequest(bed.ClientCredential, WaypointId, bed.WaypointAddress,
            IPEndPoint.Parse("198.19.128.2:80")), CancellationToken.None);
        Assert.True(tunnel.IsSuccess, $"{tunnel.Error} {tunnel.Detail}");
        await using var stream = tunnel.Stream!;

        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            "POST /upload HTTP/1.1\r\nHost: 198.19.128.2\r\nContent-Length: 100000\r\nExpect: 100-continue\r\n\r\n"));
        await stream.FlushAsync();
        var head = await ReadHeadAsync(stream).WaitAsync(Patience);

        // The backend saw the expectation and refused: no 100 Continue from the waypoint, the body is never asked for.
        Assert.StartsWith("HTTP/1.1 401 ", head, StringComparison.Ordinal);
        Assert.Equal("100-continue", expect);
        Assert.Equal(1, bed.Endpoints["echo-v1"].Requests);
    }

    [Fact]
    public async Task ExpectContinue_BackendReads_BodyArrivesIntact()
    {
        await using var bed = await StartAsync();
        using var client = new HttpClient(Configure(bed.NewHandler(), h => h.Expect100ContinueTimeout = TimeSpan.FromMinutes(5)));
        var body = new TrackingContent("wanted");
        using var request = new HttpRequestMessage(HttpMethod.Post, "http://198.19.128.2/upload") { Content = body };
        request.Headers.ExpectContinue = true;

        using var response = await client.SendAsync(request).WaitAsync(Patience);

        Assert.True(body.Sent);
        Assert.StartsWith("echo-v1 6 ", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WebSocket_Http11UpgradeThroughWaypoint_EchoesMessagesBothWays()
    {
        await using var bed = await StartAsync();
        bed.Endpoints["echo-v1"].Behavior = async (ctx, _) =>
        {
            if (!ctx.WebSockets.IsWebSocketRequest)
            {
                return false;
            }
            using var socket = await ctx.WebSockets.AcceptWebSocketAsync();
            var buffer = new byte[1024];
            while (true)
            {
                var r = await socket.ReceiveAsync(buffer, ctx.RequestAborted);
                if (r.MessageType == WebSocketMessageType.Close)
                {
                    await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", ctx.RequestAborted);
                    return true;
                }
                await socket.SendAsync(Encoding.UTF8.GetBytes("echo:" + Encoding.UTF8.GetString(buffer, 0, r.Count)), WebSocketMessageType.Text, true, ctx.RequestAborted);
            }
        };
        using var invoker = new HttpMessageInvoker(bed.NewHandler());
        using var ws = new ClientWebSocket();
        using var timeout = new CancellationTokenSource(Patience);

        await ws.ConnectAsync(new Uri("ws://198.19.128.2/chat"), invoker, timeout.Token);
        var replies = new List<string>();
        foreach (var message in new[] { "one", "two" })
        {
            await ws.SendAsync(Encoding.UTF8.GetBytes(message), WebSocketMessageType.Text, true, timeout.Token);
            var buffer = new byte[1024];
            var r = await ws.ReceiveAsync(buffer, timeout.Token);
            replies.Add(Encoding.UTF8.GetString(buffer, 0, r.Count));
        }
        await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);

        Assert.Equal(["echo:one", "echo:two"], replies);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, ws.CloseStatus);
        Assert.Equal("HTTP/1.1", Assert.Single(bed.Endpoints["echo-v1"].Protocols));
        Assert.Equal(WaypointId, Assert.Single(bed.Endpoints["echo-v1"].TunnelLog).Peer);
    }

    [Fact]
    public async Task Cancel_ClientGoesAwayMidResponse_BackendRequestAborted()
    {
        await using var bed = await StartAsync();
        var aborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        bed.Endpoints["echo-v1"].Behavior = async (ctx, _) =>
        {
            await ctx.Response.WriteAsync("first part\n");
            await ctx.Response.Body.FlushAsync();
            try
            {
                await Task.Delay(Timeout.Infinite, ctx.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                aborted.TrySetResult();
            }
            return true;
        };

        using (var response = await bed.Client.GetAsync("http://198.19.128.2/stream", HttpCompletionOption.ResponseHeadersRead))
        {
            await using var body = await response.Content.ReadAsStreamAsync();
            var first = new byte[11];
            await body.ReadExactlyAsync(first);
            Assert.Equal("first part\n", Encoding.ASCII.GetString(first));
        }

        // The client dropped the response mid-body: the waypoint's upstream request is cancelled, so the backend sees it.
        await aborted.Task.WaitAsync(Patience);
    }

    [Fact]
    public async Task Retry_FailedAttemptsAnswers_NeverReachTheClient()
    {
        await using var bed = await StartAsync();
        bed.SetRoutes(new HttpRoute
        {
            Name = "r", Namespace = "app", Parents = [new HttpRouteParent("Service", "app", "echo", 80)],
            Rules = [new HttpRouteRule
            {
                Backends = [new HttpBackendRef("app", "echo-v1", 80)],
                Retry = new HttpRetry { Attempts = 2, Codes = [503], Backoff = TimeSpan.FromMilliseconds(1) },
            }],
        });
        bed.Endpoints["echo-v1"].Behavior = async (ctx, n) =>
        {
            if (n > 2)
            {
                return false;
            }
            ctx.Response.StatusCode = 503;
            ctx.Response.Headers["x-failed-attempt"] = n.ToString(System.Globalization.CultureInfo.InvariantCulture);
            await ctx.Response.WriteAsync("failed attempt body");
            return true;
        };

        using var response = await bed.Client.GetAsync("http://198.19.128.1/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("x-failed-attempt"));
        Assert.Equal("echo-v1", response.Headers.GetValues("x-backend").Single());
        Assert.StartsWith("echo-v1 0 ", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(3, bed.Endpoints["echo-v1"].Requests);
    }

    /// <summary>The first response head (status line and headers) on <paramref name="stream"/>.</summary>
    private static async Task<string> ReadHeadAsync(Stream stream)
    {
        var head = new StringBuilder();
        var one = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await stream.ReadAsync(one) == 0)
            {
                break;
            }
            head.Append((char)one[0]);
        }
        return head.ToString();
    }

    private static SocketsHttpHandler Configure(SocketsHttpHandler handler, Action<SocketsHttpHandler> configure)
    {
        configure(handler);
        return handler;
    }

    /// <summary>A request body that records whether the client ever sent it.</summary>
    private sealed class TrackingContent(string text) : HttpContent
    {
        private readonly byte[] _bytes = Encoding.UTF8.GetBytes(text);
        private int _sent;

        public bool Sent => Volatile.Read(ref _sent) == 1;

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            Volatile.Write(ref _sent, 1);
            await stream.WriteAsync(_bytes);
        }

        protected override bool TryComputeLength(out long length)
        {
            length = _bytes.Length;
            return true;
        }
    }
}
