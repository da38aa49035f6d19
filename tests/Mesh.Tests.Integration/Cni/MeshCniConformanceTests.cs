using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Mesh.Tests.Common;
using Mesh.Tests.Common.Lab;
using Xunit.Abstractions;

namespace Mesh.Tests.Integration.Cni;

/// <summary>
/// mesh-cni run the way a container runtime runs it (environment, config on stdin, prevResult from the real ptp plugin
/// with host-local IPAM) against the node's real ztunnel: ADD, CHECK, DEL (twice), VERSION, and every error path.
/// </summary>
public sealed class MeshCniConformanceTests(ITestOutputHelper output)
{
    private const string Cluster = """
        kind: Namespace
        metadata: {name: app, labels: {mesh.dev/dataplane-mode: ambient}}
        ---
        kind: Namespace
        metadata: {name: plain}
        ---
        kind: Pod
        metadata: {name: idle, namespace: plain}
        spec: {nodeName: node1, containers: [{command: [sleep, infinity]}]}
        """;

    [RootFact]
    public async Task MeshCni_AddCheckDelVersion_ChainedAfterPtp()
    {
        await using var lab = await LabFixture.StartAsync(Cluster);
        await lab.StartMeshAsync();
        var pod = await CniSandboxFixture.CreateAsync(lab, "app", "conf", serviceAccount: "conf");
        var prev = await pod.PtpAddAsync();

        var add = await pod.RunAsync(pod.MeshCni, pod.Env("ADD"), pod.MeshConfig(prev).ToJsonString());

        Assert.True(add.Ok, $"ADD: {add.Stdout}{add.Stderr}\n{lab.ZtunnelLogs()}");
        // The result is the previous result, unchanged.
        Assert.True(JsonNode.DeepEquals(prev, JsonNode.Parse(add.Stdout)), add.Stdout);
        // ADD returned only once the programs were attached and the listeners open.
        Assert.True(await pod.CapturedAsync(), lab.ZtunnelLogs());
        var ss = await Mesh.Lab.Runtime.Shell.RunAsync("ip", ["netns", "exec", pod.Netns, "ss", "-Hltn", "sport = :15001"]);
        Assert.Contains("LISTEN", ss.Stdout, StringComparison.Ordinal);

        var check = await pod.RunAsync(pod.MeshCni, pod.Env("CHECK"), pod.MeshConfig(prev).ToJsonString());
        Assert.True(check.Ok && check.Stdout.Length == 0, $"CHECK: {check.Stdout}{check.Stderr}");

        foreach (var attempt in new[] { "first", "second" })
        {
            var del = await pod.RunAsync(pod.MeshCni, pod.Env("DEL"), pod.MeshConfig(null).ToJsonString());
            Assert.True(del.Ok && del.Stdout.Length == 0, $"{attempt} DEL: {del.Stdout}{del.Stderr}");
        }
        await LabFixture.WaitUntilAsync(async () => !await pod.CapturedAsync(), TimeSpan.FromSeconds(10), "DEL did not release the pod: " + lab.ZtunnelLogs());

        var version = await pod.RunAsync(pod.MeshCni, new Dictionary<string, string> { ["CNI_COMMAND"] = "VERSION" }, """{"cniVersion":"1.0.0"}""");
        Assert.True(version.Ok, version.Stdout);
        Assert.Equal("1.0.0", JsonNode.Parse(version.Stdout)!["supportedVersions"]!.AsArray().Select(v => v!.GetValue<string>()).Last());

        // A pod of a namespace that is not enrolled: ADD passes the result on, nothing is attached.
        var plain = await CniSandboxFixture.CreateAsync(lab, "plain", "other");
        var plainPrev = await plain.PtpAddAsync();
        var plainAdd = await plain.RunAsync(plain.MeshCni, plain.Env("ADD"), plain.MeshConfig(plainPrev).ToJsonString());
        Assert.True(plainAdd.Ok, plainAdd.Stdout + lab.ZtunnelLogs());
        Assert.False(await plain.CapturedAsync());
        output.WriteLine(string.Join('\n', lab.ZtunnelLogs().Split('\n').Where(l => l.Contains("cni ", StringComparison.Ordinal))));
    }

    [RootFact]
    public async Task MeshCni_BadInput_OneCniErrorEachAndZtunnelKeepsServing()
    {
        await using var lab = await LabFixture.StartAsync(Cluster);
        await lab.StartMeshAsync();
        var pod = await CniSandboxFixture.CreateAsync(lab, "app", "bad");
        var prev = await pod.PtpAddAsync();
        var config = pod.MeshConfig(prev).ToJsonString();

        async Task<JsonNode> FailsAsync(IReadOnlyDictionary<string, string> env, string stdin, int code, string says)
        {
            var r = await pod.RunAsync(pod.MeshCni, env, stdin);
            Assert.False(r.Ok, $"expected CNI error {code}, got success: {r.Stdout}");
            var error = JsonNode.Parse(r.Stdout)!;
            Assert.Equal(code, error["code"]!.GetValue<int>());
            Assert.Contains(says, error["msg"]!.GetValue<string>(), StringComparison.Ordinal);
            output.WriteLine(r.Stdout);
            return error;
        }

        await FailsAsync(pod.Env("ADD"), "{not json", 6, "not JSON");
        await FailsAsync(pod.Env("ADD"), config.Replace("\"1.0.0\"", "\"9.9.9\"", StringComparison.Ordinal), 1, "cniVersion 9.9.9");
        await FailsAsync(pod.Env("ADD"), pod.MeshConfig(null).ToJsonString(), 7, "chained plugin");
        var noNetns = pod.Env("ADD");
        noNetns.Remove("CNI_NETNS");
        await FailsAsync(noNetns, config, 4, "CNI_NETNS");
        var noPod = pod.Env("ADD");
        noPod["CNI_ARGS"] = "IgnoreUnknown=1";
        await FailsAsync(noPod, config, 4, "K8S_POD_NAMESPACE");
        var goneNetns = pod.Env("ADD");
        goneNetns["CNI_NETNS"] = "/run/netns/" + lab.Name + "-does-not-exist";
        await FailsAsync(goneNetns, config, 3, "does not exist");
        await FailsAsync(pod.Env("ADD"), pod.MeshConfig(prev, socket: "/run/mesh-lab/" + lab.Name + "/nobody.sock").ToJsonString(), 11, "cannot reach ztunnel");

        // The node agent's own checks: a message cut short, a line that is not a request, a sandbox that vanished
        // between the plugin's look and ztunnel's.
        Assert.Contains("cut short", await RawAsync(pod.Node.CniSocket, "{\"command\":\"add\",\"uid\":", closeAfter: true), StringComparison.Ordinal);
        Assert.Contains("not valid JSON", await RawAsync(pod.Node.CniSocket, "hello\n", closeAfter: false), StringComparison.Ordinal);
        var vanished = await RawAsync(pod.Node.CniSocket,
            $$"""{"command":"add","uid":"{{Guid.NewGuid()}}","namespace":"app","name":"gone","netnsPath":"/run/netns/{{lab.Name}}-gone","ips":["198.18.1.99"]}""" + "\n", closeAfter: false);
        Assert.Contains("\"outcome\":\"error\"", vanished, StringComparison.Ordinal);
        Assert.Contains("does not exist (the sandbox is gone)", vanished, StringComparison.Ordinal);

        // After all that, ztunnel still captures the pod.
        var add = await pod.RunAsync(pod.MeshCni, pod.Env("ADD"), config);
        Assert.True(add.Ok, add.Stdout + lab.ZtunnelLogs());
        Assert.True(await pod.CapturedAsync());
    }

    private static async Task<string> RawAsync(string socketPath, string text, bool closeAfter)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath));
        await socket.SendAsync(Encoding.UTF8.GetBytes(text));
        if (closeAfter)
        {
            socket.Shutdown(SocketShutdown.Send);
        }
        var buffer = new byte[4096];
        var n = await socket.ReceiveAsync(buffer).WaitAsync(TimeSpan.FromSeconds(20));
        return Encoding.UTF8.GetString(buffer, 0, n);
    }
}
