using System.Text.Json.Nodes;
using Mesh.ControlPlane.Registry;

namespace Mesh.Tests.Unit.ControlPlane;

public sealed class ObjectStoreTests
{
    private static ObjectChange Pod(string name) =>
        ObjectChange.Upsert(new ObjectKey("", "Pod", "ns", name), new JsonObject { ["kind"] = "Pod", ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = "ns" } });

    [Fact]
    public void Apply_ResetThenRelist_ReplacesKindOnlyAtSynced()
    {
        var store = new ObjectStore();
        store.Apply(Pod("a"));
        store.Apply(Pod("b"));
        store.Apply(ObjectChange.Synced());
        Assert.True(store.Synced);

        store.Apply(ObjectChange.Reset("Pod"));
        store.Apply(Pod("b"));
        Assert.Equal(2, store.Objects.Count());
        Assert.True(store.Apply(ObjectChange.Synced("Pod")));

        Assert.Equal(["b"], store.Objects.Select(o => o["metadata"]!["name"]!.GetValue<string>()));
    }

    [Fact]
    public void Apply_Errors_ShownUntilNextSynced()
    {
        var store = new ObjectStore();
        store.Apply(ObjectChange.Failed("bad file"));
        store.Apply(ObjectChange.Synced());
        Assert.Equal([new SourceError("bad file")], store.Errors);
        Assert.True(store.Apply(ObjectChange.Synced()));
        Assert.Empty(store.Errors);
    }
}
