using System.Diagnostics;
using System.Text.Json;
using Mesh.Lab.Model;
using Mesh.Lab.Parsing;
using Mesh.Lab.Planning;
using Mesh.Tests.Common;
using Mesh.Tests.Common.Lab;

namespace Mesh.Tests.Integration.Lab;

public sealed class LabTests
{
    /// <summary>2 nodes x 2 pods; an echo server on node2, clients elsewhere.</summary>
    private const string TwoByTwo = """
        kind: Namespace
        metadata: {name: demo, labels: {mesh.dev/dataplane-mode: ambient}}
        ---
        kind: Pod
        metadata: {name: client, namespace: demo}
        spec: {nodeName: node1, containers: [{command: [sleep, infinity]}]}
        ---
        kind: Pod
        metadata: {name: idle, namespace: demo}
        spec: {nodeName: node1, containers: [{command: [sleep, infinity]}]}
        ---
        kind: Pod
        metadata: {name: server, namespace: demo, labels: {app: echo}}
        spec: {nodeName: node2, containers: [{command: ["{{echo}}", --port, "8080"]}]}
        ---
        kind: Pod
        metadata: {name: neighbour, namespace: demo}
        spec: {nodeName: node2, containers: [{command: [sleep, infinity]}]}
        ---
        kind: Service
        metadata: {name: echo, namespace: demo}
        spec: {selector: {app: echo}, ports: [{port: 80, targetPort: 8080}]}
        """;

    [RootFact]
    public async Task UpAsync_TwoNodesTwoPods_PodToPodAcrossNodesWorksAndDownLeavesNothing()
    {
        var lab = await LabFixture.StartAsync(TwoByTwo);
        var env = lab.Plan.Environment;
        List<int> pids;
        try
        {
            var state = lab.State;
            pids = [.. state.Pods.Select(p => p.Pid!.Value)];
            Assert.Equal(4, state.Pods.Length);
            Assert.Contains("unreachable 198.18.0.0/15", LabInspector.Run("ip", "route", "show", "type", "unreachable"), StringComparison.Ordinal);

            await lab.WaitForListenerAsync("server", 8080);
            var server = lab.Pod("server");
            var client = lab.Pod("client");
            // The body is exactly the size asked for: the echo's JSON line (it names the request's headers), then padding.
            var r = await lab.CurlAsync("client", $"http://{server.Ip}:8080/hi?size=4000", "-w", "\n%{http_code}");
            Assert.True(r.Ok, r.Stderr);
            Assert.EndsWith("\n200", r.Stdout, StringComparison.Ordinal);
            Assert.Equal(4000 + "\n200".Length, r.Stdout.Length);
            using (var body = JsonDocument.Parse(r.Stdout[..r.Stdout.IndexOf('\n', StringComparison.Ordinal)]))
            {
                Assert.Equal("server", body.RootElement.GetProperty("pod").GetString());
                Assert.StartsWith(client.Ip + ":", body.RootElement.GetProperty("peer").GetString(), StringComparison.Ordinal);
            }

            // Same node, through the node only.
            var same = await lab.CurlAsync("neighbour", $"http://{server.Ip}:8080/");
            Assert.True(same.Ok, same.Stderr);

            foreach (var (netns, isPod) in state.Pods.Select(p => (p.Netns, true))
                         .Concat(state.Nodes.Select(n => (n.Netns, false))).Append((state.Fabric.Netns, false)))
            {
                var routes = LabInspector.Routes(netns);
                Assert.NotEmpty(routes);
                foreach (var route in routes)
                {
                    Assert.True(LabInspector.LeadsOut(route, isPod) is null, $"{netns}: {route}: {LabInspector.LeadsOut(route, isPod)}");
                }
            }

            // The cluster folder and the node report the control plane and ztunnel read.
            var podYaml = File.ReadAllText(Path.Combine(state.ClusterDir, "pod.demo.server.yaml"));
            Assert.Contains($"podIP: \"{server.Ip}\"", podYaml, StringComparison.Ordinal);
            Assert.Contains("clusterIP: \"198.19.128.1\"", File.ReadAllText(Path.Combine(state.ClusterDir, "service.demo.echo.yaml")), StringComparison.Ordinal);
            Assert.Contains($"uid: \"{server.KubeUid}\"", podYaml, StringComparison.Ordinal);
            // The pod's cgroup is kubepods-shaped (cgroupfs driver), named by its uid, as the kubelet makes it.
            Assert.EndsWith($"/kubepods/besteffort/pod{server.KubeUid}", server.CgroupPath, StringComparison.Ordinal);
            Assert.True(Directory.Exists(server.CgroupPath));
        }
        finally
        {
            await lab.DisposeAsync();
        }

        Assert.Empty(LabInspector.Leftovers(lab.Name, env, pids));
    }

    [RootFact]
    public async Task UpAsync_AfterMeshctlKilledMidway_CleansTheLeftoversAndWorks()
    {
        var name = LabFixture.NewName();
        var env = LabEnvironment.Detect();
        var file = Path.Combine(Path.GetTempPath(), $"{name}.yaml");
        File.WriteAllText(file, TwoByTwo.Replace("{{echo}}", RepoPaths.Echo, StringComparison.Ordinal));
        try
        {
            using (var up = Process.Start(RepoPaths.Meshctl, ["lab", "up", "-f", file, "--name", name]))
            {
                var deadline = DateTime.UtcNow.AddSeconds(60);
                while (!File.Exists($"/run/netns/{name}-fabric") && !up.HasExited && DateTime.UtcNow < deadline)
                {
                    await Task.Delay(5);
                }
                up.Kill();
                await up.WaitForExitAsync();
            }
            Assert.NotEmpty(LabInspector.Leftovers(name, env, []));

            var plan = LabPlanner.Plan(LabFileParser.Load(file), name, env);
            var lab = await Mesh.Lab.Runtime.Lab.UpAsync(plan);
            List<int> pids = [.. lab.Status.Pods.Select(p => p.Pid!.Value)];
            var r = await lab.ExecInPodAsync("client", ["ip", "-o", "addr", "show", "dev", "eth0"]);
            Assert.Contains("198.18.1.2/24", r.Stdout, StringComparison.Ordinal); // ptp (host-local) gives the range's prefix

            await Mesh.Lab.Runtime.Lab.DownAsync(env, name);
            Assert.Empty(LabInspector.Leftovers(name, env, pids));
        }
        finally
        {
            await Mesh.Lab.Runtime.Lab.DownAsync(env, name);
            File.Delete(file);
        }
    }

    [RootFact]
    public async Task UpAsync_LabJsonLostAfterCrash_KillsOldPodsAndRemovesMarkedNetnsOnly()
    {
        var lab = await LabFixture.StartAsync(TwoByTwo);
        var name = lab.Name;
        var foreign = $"{name}-foreign";
        try
        {
            var oldPids = lab.State.Pods.Select(p => p.Pid!.Value).ToList();
            // A crash before lab.json: the namespaces and processes stay, the record is gone; plus a half-made
            // namespace carrying the lab's marker, and one with the lab's prefix that the lab did not make.
            File.Delete(Path.Combine(lab.Plan.StateDir, "lab.json"));
            LabInspector.Run("ip", "netns", "add", $"{name}-half");
            LabInspector.Run("ip", "-n", $"{name}-half", "link", "set", "dev", "lo", "alias", LabNames.LoopbackAlias(name));
            LabInspector.Run("ip", "netns", "add", foreign);

            var again = await Mesh.Lab.Runtime.Lab.UpAsync(lab.Plan);

            Assert.All(oldPids, pid => Assert.False(LabInspector.Alive(pid), $"old pod process {pid} still runs"));
            var netns = LabInspector.Netns();
            Assert.DoesNotContain($"{name}-half", netns);
            Assert.Contains(foreign, netns);
            Assert.All(again.Status.Pods, p => Assert.True(LabInspector.Alive(p.Pid!.Value)));
            await lab.WaitForListenerAsync("server", 8080);
            var r = await lab.CurlAsync("idle", $"http://{lab.Pod("server").Ip}:8080/");
            Assert.True(r.Ok, r.Stderr);
        }
        finally
        {
            await lab.DisposeAsync();
            LabInspector.Run("ip", "netns", "del", foreign);
        }
        Assert.Empty(LabInspector.Leftovers(name, lab.Plan.Environment, []));
    }

    [RootFact]
    public async Task StartNodeProcess_TrackedProcess_RunsInNodeAndDownKillsIt()
    {
        var lab = await LabFixture.StartAsync(TwoByTwo);
        int pid;
        try
        {
            var p = lab.Lab.StartNodeProcess("node2", [RepoPaths.Echo, "--mode", "tcp-sink", "--port", "7000"], "sink");
            pid = p.Pid;
            Assert.Contains(lab.State.Processes, x => x.Pid == pid && x.Where == "node2");
            var r = await lab.Lab.ExecInNodeAsync("node2", ["ss", "-Hltn", "sport = :7000"]);
            for (var i = 0; i < 300 && !r.Stdout.Contains("LISTEN", StringComparison.Ordinal); i++)
            {
                await Task.Delay(100);
                r = await lab.Lab.ExecInNodeAsync("node2", ["ss", "-Hltn", "sport = :7000"]);
            }
            Assert.Contains("LISTEN", r.Stdout, StringComparison.Ordinal);

            lab.Lab.SetNamespaceLabel("demo", "mesh.dev/dataplane-mode", null);
            Assert.DoesNotContain("dataplane-mode", File.ReadAllText(Path.Combine(lab.State.ClusterDir, "namespace.demo.yaml")), StringComparison.Ordinal);
            lab.Lab.SetNamespaceLabel("demo", "mesh.dev/dataplane-mode", "ambient");
            Assert.Contains("mesh.dev/dataplane-mode: \"ambient\"", File.ReadAllText(Path.Combine(lab.State.ClusterDir, "namespace.demo.yaml")), StringComparison.Ordinal);
        }
        finally
        {
            await lab.DisposeAsync();
        }
        Assert.False(LabInspector.Alive(pid));
    }
}
