using System.Net;
using System.Net.Sockets;
using System.Text;
using Mesh.Core.Metrics;

namespace Mesh.Tests.Unit.Metrics;

public sealed class TelemetryServerTests
{
    private static readonly IPEndPoint AnyLoopback = new(IPAddress.Loopback, 0);

    private static async Task<string> RawExchange(IPEndPoint ep, string request)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(ep);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        using var reader = new StreamReader(stream, Encoding.ASCII);
        return await reader.ReadToEndAsync();
    }

    [Fact]
    public async Task Get_Metrics_ServesCollectorOutputWithPrometheusContentType()
    {
        var registry = new MetricsRegistry();
        registry.Factory.CreateCounter("hits_total", "hits").Inc(9);
        await using var server = TelemetryServer.Start(AnyLoopback, [TelemetryRoutes.Metrics(registry)]);
        using var http = new HttpClient();

        var response = await http.GetAsync(new Uri($"http://{server.LocalEndPoint}/metrics?x=1"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        Assert.Contains("hits_total 9\n", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_Readiness_FollowsProbe()
    {
        var ready = false;
        await using var server = TelemetryServer.Start(AnyLoopback, [TelemetryRoutes.Readiness(() => ready)]);
        using var http = new HttpClient();
        var uri = new Uri($"http://{server.LocalEndPoint}/healthz/ready");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await http.GetAsync(uri)).StatusCode);
        ready = true;
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(uri)).StatusCode);
    }

    [Fact]
    public async Task Get_UnknownPath_NotFound()
    {
        await using var server = TelemetryServer.Start(AnyLoopback, [TelemetryRoutes.Readiness(() => true)]);
        using var http = new HttpClient();

        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(new Uri($"http://{server.LocalEndPoint}/nope"))).StatusCode);
    }

    [Fact]
    public async Task Post_MethodNotAllowed()
    {
        await using var server = TelemetryServer.Start(AnyLoopback, [TelemetryRoutes.Readiness(() => true)]);

        var response = await RawExchange(server.LocalEndPoint, "DELETE /healthz/ready HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 405 ", response, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeepAlive_TwoPipelinedRequests_TwoResponsesOnOneConnection()
    {
        await using var server = TelemetryServer.Start(AnyLoopback, [TelemetryRoutes.Readiness(() => true)]);

        var response = await RawExchange(server.LocalEndPoint,
            "GET /healthz/ready HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz/ready HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");

        Assert.Equal(2, response.Split("HTTP/1.1 200 OK").Length - 1);
        Assert.Equal(2, response.Split("ready\n").Length - 1);
    }

    [Fact]
    public async Task Head_HeadersWithoutBody()
    {
        await using var server = TelemetryServer.Start(AnyLoopback, [TelemetryRoutes.Readiness(() => true)]);

        var response = await RawExchange(server.LocalEndPoint, "HEAD /healthz/ready HTTP/1.0\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 200 OK\r\n", response, StringComparison.Ordinal);
        Assert.Contains("Content-Length: 6\r\n", response, StringComparison.Ordinal);
        Assert.EndsWith("\r\n\r\n", response, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Garbage_BadRequestAndClose()
    {
        await using var server = TelemetryServer.Start(AnyLoopback, [TelemetryRoutes.Readiness(() => true)]);

        var response = await RawExchange(server.LocalEndPoint, "hello\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 400 ", response, StringComparison.Ordinal);
        Assert.Contains("Connection: close", response, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OversizedHead_Refused()
    {
        await using var server = TelemetryServer.Start(AnyLoopback, [TelemetryRoutes.Readiness(() => true)]);

        var response = await RawExchange(server.LocalEndPoint, "GET /healthz/ready HTTP/1.1\r\nX: " + new string('a', 9000) + "\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 431 ", response, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandlerThrows_InternalError()
    {
        await using var server = TelemetryServer.Start(AnyLoopback,
            [TelemetryRoutes.Route("/boom", () => throw new InvalidOperationException())]);
        using var http = new HttpClient();

        Assert.Equal(HttpStatusCode.InternalServerError, (await http.GetAsync(new Uri($"http://{server.LocalEndPoint}/boom"))).StatusCode);
    }

    [Fact]
    public async Task Start_PortTaken_ThrowsMetricsException()
    {
        await using var first = TelemetryServer.Start(AnyLoopback, [TelemetryRoutes.Readiness(() => true)]);

        var e = Assert.Throws<MetricsException>(() => TelemetryServer.Start(first.LocalEndPoint, []));
        Assert.Contains(first.LocalEndPoint.ToString(), e.Message, StringComparison.Ordinal);
    }
}
