using Mesh.ControlPlane.Discovery;
using Mesh.ControlPlane.Registry;
using Mesh.ControlPlane.Translation;
using Mesh.Core.Discovery;
using Mesh.Tests.Common.ControlPlane;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mesh.Tests.Unit.ControlPlane;

public sealed class DeltaPlannerTests
{
    private static string Pods(int count, string extraLabel = "") => string.Join("---\n", Enumerable.Range(0, count).Select(i => $$"""
        apiVersion: v1
        kind: Pod
        metadata: { name: p{{i}}, namespace: ns, labels: { app: a{{extraLabel}} } }
        spec: { nodeName: node{{i % 2}} }
        status: { podIP: 10.0.0.{{i + 1}} }

        """));

    private static DiscoveryState StateOf(params string[] versions)
    {
        var time = new ManualTime(DateTimeOffset.UnixEpoch.AddDays(1));
        var state = new DiscoveryState(new MeshStateHub(), time, NullLogger<DiscoveryState>.Instance);
        for (var i = 0; i < versions.Length; i++)
        {
            state.Apply(new RegistrySnapshot(i + 1, MeshTranslator.Translate(YamlDocuments.Parse(versions[i])).State, [], [], time.GetUtcNow()));
        }
        return state;
    }

    [Fact]
    public void Plan_KnownVersion_SendsOnlyChangedResources()
    {
        var state = StateOf(Pods(40), Pods(41));
        var first = state.Current!.Version - 1;

        var plan = DeltaPlanner.Plan(state.Current, state.History, new DiscoveryView("node0", false), state.Epoch, first, null);

        Assert.False(plan.IsFull);
        Assert.Equal("ns/p40", Assert.Single(plan.Upserts).Id.Key);
        Assert.Empty(plan.Removals);
    }

    [Fact]
    public void Plan_LabelChangeOnOtherNode_NotSentToNodeViewButSentToFullView()
    {
        var state = StateOf(Pods(40), Pods(40).Replace("name: p1,", "name: p1, annotations: {},").Replace("labels: { app: a } }\nspec: { nodeName: node1 }\nstatus: { podIP: 10.0.0.2 }", "labels: { app: b } }\nspec: { nodeName: node1 }\nstatus: { podIP: 10.0.0.2 }"));
        var from = state.Current!.Version - 1;

        var node0 = DeltaPlanner.Plan(state.Current, state.History, new DiscoveryView("node0", false), state.Epoch, from, null);
        var full = DeltaPlanner.Plan(state.Current, state.History, new DiscoveryView(null, true), state.Epoch, from, null);

        Assert.True(node0.IsEmpty);
        Assert.Equal("ns/p1", Assert.Single(full.Upserts).Id.Key);
    }

    [Fact]
    public void Plan_UnknownEpochWithHashes_SendsDifferencesAndRemovals()
    {
        var old = StateOf(Pods(40));
        var view = new DiscoveryView("node0", false);
        var have = old.Current!.Entries.Values
            .GroupBy(e => e.Id.Kind)
            .ToDictionary(g => g.Key, g => g.ToDictionary(e => e.Id.Key, e => ResourceHash.Hex(view.Select(e)!.Value.Hash)));
        have[DiscoveryWire.Workloads]["ns/gone"] = "0000000000000000";
        var restarted = StateOf(Pods(41));

        var plan = DeltaPlanner.Plan(restarted.Current!, restarted.History, view, old.Epoch, old.Current.Version, have);

        Assert.False(plan.IsFull);
        Assert.Equal("ns/p40", Assert.Single(plan.Upserts).Id.Key);
        Assert.Equal("ns/gone", Assert.Single(plan.Removals).Key);
    }

    [Fact]
    public void Plan_UnknownVersionWithoutHashes_SendsFullState()
    {
        var state = StateOf(Pods(4), Pods(5));

        Assert.True(DeltaPlanner.Plan(state.Current!, state.History, new DiscoveryView("node0", false), "other-epoch", 12, null).IsFull);
        Assert.True(DeltaPlanner.Plan(state.Current!, state.History, new DiscoveryView("node0", false), state.Epoch, 1, null).IsFull);
    }

    [Fact]
    public void Apply_SameState_DoesNotBumpVersion()
    {
        var state = StateOf(Pods(3), Pods(3));

        Assert.Empty(state.History);
    }
}
