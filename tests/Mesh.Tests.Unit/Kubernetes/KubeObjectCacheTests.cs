using k8s;
using Mesh.ControlPlane.Kubernetes;
using static Mesh.Tests.Unit.Kubernetes.KubeTestObjects;

namespace Mesh.Tests.Unit.Kubernetes;

public sealed class KubeObjectCacheTests
{
    private static string D(KubeEvent? ev) => ev is null ? "none" : InformerHarness.Describe(ev);

    [Fact]
    public void Apply_SameResourceVersionTwice_SecondIsDropped()
    {
        var cache = new KubeObjectCache("Pod");

        Assert.Equal("Added a/p@1", D(cache.Apply(WatchEventType.Added, Pod("a", "p", rv: "1"))));
        Assert.Equal("none", D(cache.Apply(WatchEventType.Added, Pod("a", "p", rv: "1"))));
        Assert.Equal("none", D(cache.Apply(WatchEventType.Modified, Pod("a", "p", rv: "1"))));
        Assert.Equal("Modified a/p@2", D(cache.Apply(WatchEventType.Modified, Pod("a", "p", rv: "2"))));
    }

    [Fact]
    public void Apply_ModifiedForUnknownObject_IsAdded()
    {
        var cache = new KubeObjectCache("Pod");

        Assert.Equal("Added a/p@5", D(cache.Apply(WatchEventType.Modified, Pod("a", "p", rv: "5"))));
        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public void Apply_DeleteUnknownOrTwice_EmitsOnce()
    {
        var cache = new KubeObjectCache("Pod");
        cache.Apply(WatchEventType.Added, Pod("a", "p", rv: "1"));

        Assert.Equal("Deleted a/p@2", D(cache.Apply(WatchEventType.Deleted, Pod("a", "p", rv: "2"))));
        Assert.Equal("none", D(cache.Apply(WatchEventType.Deleted, Pod("a", "p", rv: "2"))));
        Assert.Equal("none", D(cache.Apply(WatchEventType.Deleted, Pod("b", "q", rv: "3"))));
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void Replace_AgainstCache_EmitsDeletesThenAddsAndChangesOnly()
    {
        var cache = new KubeObjectCache("Pod");
        cache.Replace([Pod("a", "same", rv: "1"), Pod("a", "changed", rv: "2"), Pod("z", "gone", rv: "3"), Pod("b", "gone", rv: "4")]);

        var events = cache.Replace([Pod("a", "same", rv: "1"), Pod("c", "new", rv: "9"), Pod("a", "changed", rv: "8")]);

        Assert.Equal(["Deleted b/gone@4", "Deleted z/gone@3", "Added c/new@9", "Modified a/changed@8"], events.Select(D));
        Assert.Equal(["a/changed", "a/same", "c/new"], cache.Snapshot().Select(Key));
    }

    [Fact]
    public void Replace_ClusterScopedObjects_KeyedByName()
    {
        var cache = new KubeObjectCache("Namespace");

        var events = cache.Replace([Namespace("apps"), Namespace("default")]);

        Assert.Equal(2, events.Count);
        Assert.NotNull(cache.Get("apps"));
        Assert.NotNull(cache.Get("default"));
    }
}
