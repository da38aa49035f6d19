using System.Net;
using System.Text.Json;
using Mesh.Native.Net;
using Mesh.Tests.Common;
using Mesh.Tests.Common.Lab;
using Mesh.Tests.Common.Otlp;
using static Mesh.Tests.Integration.Waypoint.WaypointL7Tests;

namespace Mesh.Tests.Integration.Waypoint;

/// <summary>
/// Tracing on the waypoint lab (<see cref="WaypointL7Tests"/>): the waypoint exports over OTLP/HTTP to a real receiver
/// the test runs (<see cref="OtlpTraceReceiver"/>: HTTP/1.1, protobuf decoded) on a socket made inside the waypoint pod's
/// network namespace, bound to that pod's loopback; the route retries 503 on echo-v1, which is told to fail its next
/// request. What the backend received is read from the echo pod itself (<c>/_echo/stats</c> lists its traceparents).
/// </summary>
public sealed class WaypointTracingTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const string TraceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    private const string CallerSpan = "00f067aa0ba902b7";

    [RootFact]
    public async Task Curl_TracedRequestRetriedOnce_ServerSpanAndAClientSpanPerAttemptReachTheCollector()
    {
        await using var lab = await StartYamlAsync(WaypointLabYaml.WithTracing(WaypointLabYaml.RetryRules));
        await using var receiver = OtlpTraceReceiver.Start(Listen(lab, "waypoint", WaypointLabYaml.OtlpPort));
        var url = $"http://{Vip(lab, "echo")}/traced";

        await EchoConfigAsync(lab, "echo-v1", "fail_next=1");
        var traced = await lab.ExecAsync("client", "curl", "-sS", "-m", "20", "-H", $"traceparent: 00-{TraceId}-{CallerSpan}-01", url);
        var untraced = await lab.ExecAsync("client", "curl", "-sS", "-m", "20", url);

        Assert.True(traced.Ok && untraced.Ok, $"{traced.Stderr}{untraced.Stderr}\n{Logs(lab)}");
        var newTrace = TraceOf(untraced.Stdout);
        var complete = await receiver.WaitForAsync(s => s.Count(x => x.TraceId == TraceId) == 3 && s.Count(x => x.TraceId == newTrace) == 2,
            TimeSpan.FromSeconds(30));
        var spans = receiver.Spans;
        output.WriteLine(string.Join('\n', spans));
        Assert.True(complete, $"spans received:\n{string.Join('\n', spans)}\nerrors: {string.Join('\n', receiver.Errors)}\n{Logs(lab)}");
        Assert.Empty(receiver.Errors);

        // The caller's trace: one server span, child of the caller's span, and one client span per attempt under it.
        var mine = spans.Where(s => s.TraceId == TraceId).ToList();
        var server = Assert.Single(mine, s => s.Kind == OtlpSpan.KindServer);
        Assert.Equal(CallerSpan, server.ParentSpanId);
        Assert.Equal("200", server.Attributes["http.response.status_code"]);
        Assert.Equal("waypoint", server.Resource["service.name"]);
        var clients = mine.Where(s => s.Kind == OtlpSpan.KindClient).ToList();
        Assert.Equal(2, clients.Count);
        Assert.All(clients, c => Assert.Equal(server.SpanId, c.ParentSpanId));
        Assert.Equal(["200", "503"], clients.Select(c => c.Attributes["http.response.status_code"]).Order());
        // The backend got each attempt's own context: the trace id kept, the client span as the parent.
        var received = await TraceparentsAsync(lab, "echo-v1");
        Assert.Equal(clients.Select(c => $"00-{TraceId}-{c.SpanId}-01").Order(), received.Where(t => t.Contains(TraceId, StringComparison.Ordinal)).Order());

        // Without a traceparent the waypoint started a trace (sampling 1) that the backend is part of.
        var root = Assert.Single(spans, s => s.TraceId == newTrace && s.Kind == OtlpSpan.KindServer);
        Assert.Equal("", root.ParentSpanId);
        var client = Assert.Single(spans, s => s.TraceId == newTrace && s.Kind == OtlpSpan.KindClient);
        Assert.Equal(root.SpanId, client.ParentSpanId);
        Assert.Contains($"00-{newTrace}-{client.SpanId}-01", received);
    }

    /// <summary>A TCP listener on <paramref name="pod"/>'s loopback: the socket is made inside its network namespace.</summary>
    private static System.Net.Sockets.Socket Listen(LabFixture lab, string pod, int port)
    {
        var socket = NetNs.CreateTcpSocket(lab.Pod(pod).NetnsPath, new NetNsSocketOptions());
        socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
        socket.Listen(16);
        return socket;
    }

    /// <summary>The trace id of the traceparent the echo backend reports in its answer.</summary>
    private static string TraceOf(string echoBody)
    {
        using var json = JsonDocument.Parse(echoBody);
        return json.RootElement.GetProperty("traceparent").GetString()!.Split('-')[1];
    }

    private static async Task<List<string>> TraceparentsAsync(LabFixture lab, string pod)
    {
        var r = await lab.ExecAsync(pod, "curl", "-sf", "-m", "5", "http://127.0.0.1:8080/_echo/stats");
        Assert.True(r.Ok, $"{r.Stderr}\n{lab.Log(pod)}");
        using var json = JsonDocument.Parse(r.Stdout);
        return [.. json.RootElement.GetProperty("traceparents").EnumerateArray().Select(t => t.GetString()!)];
    }
}
