using Mesh.Lab;
using Mesh.Lab.Model;
using Mesh.Lab.Parsing;
using Mesh.Lab.Planning;
using Mesh.Tests.Common;
using Mesh.Tests.Common.Lab;

namespace Mesh.Tests.Integration.Lab;

/// <summary>Labs next to each other and next to namespaces the lab did not make.</summary>
public sealed class LabCoexistenceTests
{
    private const string TwoPods = """
        kind: Pod
        metadata: {name: a}
        spec: {nodeName: n1, containers: [{command: [sleep, infinity]}]}
        ---
        kind: Pod
        metadata: {name: b}
        spec: {nodeName: n2, containers: [{command: ["{{echo}}", --port, "8080"]}]}
        """;

    [RootFact]
    public async Task DownAsync_TwoLabsSideBySide_EachWorksAndTheRootRouteStaysWhileOneRemains()
    {
        var first = await LabFixture.StartAsync(TwoPods);
        try
        {
            await using var second = await LabFixture.StartAsync(TwoPods);

            // Same addresses in both labs, separate namespaces: each pod reaches its own lab's peer.
            foreach (var lab in new[] { first, second })
            {
                var r = await lab.ExecAsync("a", "ip", "-o", "route", "get", lab.Pod("b").Ip);
                Assert.True(r.Ok, r.Stderr);
                Assert.Contains("via 198.18.1.1", r.Stdout, StringComparison.Ordinal);
                await lab.WaitForListenerAsync("b", 8080);
                var curl = await lab.CurlAsync("a", $"http://{lab.Pod("b").Ip}:8080/");
                Assert.True(curl.Ok, curl.Stderr);
                Assert.Contains($"\"local\":\"{lab.Pod("b").Ip}:8080\"", curl.Stdout, StringComparison.Ordinal);
            }

            await first.DisposeAsync();
            Assert.Contains("unreachable 198.18.0.0/15", LabInspector.Run("ip", "route", "show", "type", "unreachable"), StringComparison.Ordinal);
            Assert.True(File.Exists(Path.Combine(second.Plan.StateDir, "root-route")));
            Assert.Empty(LabInspector.Leftovers(first.Name, first.Plan.Environment, []));
        }
        finally
        {
            await first.DisposeAsync();
        }
    }

    [RootFact]
    public async Task UpAsync_NetnsNameTakenByAnotherProgram_FailsAndLeavesThatNetnsAlone()
    {
        var name = LabFixture.NewName();
        var env = LabEnvironment.Detect();
        var taken = LabNames.FabricNetns(name);
        LabInspector.Run("ip", "netns", "add", taken);
        LabInspector.Run("ip", "-n", taken, "link", "add", "keepme", "type", "veth", "peer", "name", "keepme2");
        try
        {
            var plan = LabPlanner.Plan(LabFileParser.Parse(TwoPods.Replace("{{echo}}", RepoPaths.Echo, StringComparison.Ordinal), "x.yaml", "/"), name, env);

            var e = await Assert.ThrowsAsync<LabException>(() => Mesh.Lab.Runtime.Lab.UpAsync(plan));

            Assert.Equal($"network namespace {taken} already exists and lab '{name}' did not make it; remove it (ip netns del {taken}) or use another lab name", e.Message);
            Assert.Contains(taken, LabInspector.Netns());
            Assert.Contains("keepme", LabInspector.Run("ip", "-n", taken, "link", "show"), StringComparison.Ordinal);
            Assert.Equal([$"netns {taken}"], LabInspector.Leftovers(name, env, []));
        }
        finally
        {
            LabInspector.Run("ip", "netns", "del", taken);
            await Mesh.Lab.Runtime.Lab.DownAsync(env, name);
        }
    }
}
