using System.Text.Json;
using Mesh.Tests.Common;
using Mesh.Tests.Common.Lab;

namespace Mesh.Tests.Integration.Capture;

/// <summary>Capture on the lab cluster: the capture-only ztunnel runs in node1's namespace with node1's pods from lab.json (root).</summary>
public sealed class LabCaptureTests
{
    private const string Cluster = """
        kind: Namespace
        metadata: {name: meshed, labels: {mesh.dev/dataplane-mode: ambient}}
        ---
        kind: Namespace
        metadata: {name: plain}
        ---
        kind: Pod
        metadata: {name: client, namespace: meshed}
        spec: {nodeName: node1, containers: [{command: [sleep, infinity]}]}
        ---
        kind: Pod
        metadata: {name: outsider, namespace: plain}
        spec: {nodeName: node1, containers: [{command: [sleep, infinity]}]}
        ---
        kind: Pod
        metadata: {name: server, namespace: plain}
        spec: {nodeName: node2, containers: [{command: ["{{echo}}", --port, "8080"]}]}
        """;

    [RootFact]
    public async Task Ztunnel_LabNode_CapturesEnrolledPodOnlyAndPeersLookUnchanged()
    {
        await using var lab = await LabFixture.StartAsync(Cluster);
        var ztunnel = lab.Lab.StartNodeProcess("node1",
            [Path.Combine(AppContext.BaseDirectory, "ztunnel"), "--pods-file", WritePodsFile(lab, "node1"), "--enroll-namespaces", "meshed",
                "--instance", Mesh.Lab.Planning.LabNames.ZtunnelInstance(lab.Name, "node1")],
            "ztunnel-node1");
        await lab.WaitForListenerAsync("server", 8080);
        await lab.WaitForListenerAsync("client", 15001);
        var client = lab.Pod("client");
        var server = lab.Pod("server");

        var captured = await lab.CurlAsync("client", $"http://{server.Ip}:8080/captured");
        var direct = await lab.CurlAsync("outsider", $"http://{server.Ip}:8080/direct");

        // The console logger writes from its own thread: wait for ztunnel's line before reading the log.
        var log = await WaitForLogAsync(ztunnel.LogPath, "(from the BPF map)");
        Assert.True(captured.Ok, captured.Stderr + log);
        Assert.True(direct.Ok, direct.Stderr + log);
        // The server saw the client pod's own address, as without the mesh.
        Assert.StartsWith($"{client.Ip}:", Peer(captured.Stdout));
        // ztunnel (in node1's namespace) handled the enrolled pod's connection, with the destination from the map...
        Assert.True(log.Contains("outbound meshed/client: 127.0.0.1:", StringComparison.Ordinal), log);
        Assert.Contains($"-> original destination {server.Ip}:8080 (from the BPF map)", log);
        // ...and not the pod of the namespace that is not enrolled.
        Assert.DoesNotContain("outbound plain/outsider", log);
        // The app's getpeername is the original destination.
        var probe = await lab.ExecAsync("client", PeerProbe.Path, server.Ip, "8080");
        Assert.True(probe.Ok, probe.Stderr);
        Assert.Contains($"getpeername={server.Ip}:8080", probe.Stdout);
        // No ztunnel thread was left inside a pod's namespace.
        var home = new FileInfo($"/proc/{ztunnel.Pid}/ns/net").LinkTarget;
        Assert.All(Directory.GetDirectories($"/proc/{ztunnel.Pid}/task"),
            t => Assert.Equal(home, new FileInfo(Path.Combine(t, "ns", "net")).LinkTarget));
    }

    private static async Task<string> WaitForLogAsync(string path, string text)
    {
        var log = string.Empty;
        for (var i = 0; i < 100; i++)
        {
            log = File.Exists(path) ? await File.ReadAllTextAsync(path) : string.Empty;
            if (log.Contains(text, StringComparison.Ordinal))
            {
                break;
            }
            await Task.Delay(100);
        }
        return log;
    }

    private static string Peer(string echoBody)
    {
        using var doc = JsonDocument.Parse(echoBody);
        return doc.RootElement.GetProperty("peer").GetString()!;
    }

    /// <summary>The capture-only host's pods file for <paramref name="node"/>, from lab.json (in the lab's state folder).</summary>
    private static string WritePodsFile(LabFixture lab, string node)
    {
        var pods = lab.State.Pods.Where(p => p.Node == node).Select(p => new
        {
            uid = p.Uid, name = p.Name, @namespace = p.Namespace, serviceAccount = p.ServiceAccount, ip = p.Ip,
            netnsPath = p.NetnsPath, cgroupPath = p.CgroupPath, labels = p.Labels,
        });
        var path = Path.Combine(lab.State.StateDir, $"pods-{node}.json");
        File.WriteAllText(path, JsonSerializer.Serialize(pods));
        return path;
    }
}
