using Mesh.ControlPlane.Kubernetes;
using static Mesh.Tests.Unit.Kubernetes.KubeTestObjects;

namespace Mesh.Tests.Unit.Kubernetes;

/// <summary>
/// The list/watch informer against <see cref="Mesh.Tests.Common.FakeKubeApiServer"/>: the real
/// kube-apiserver (with etcd) cannot run on this machine, so a small Kestrel server on loopback
/// speaks the list/watch protocol (TLS, bearer token, pagination, watch, bookmarks, 410 Gone,
/// dropped connections). Assertions are on exact emitted events, cache state and request log.
/// </summary>
public sealed class KubeInformerTests
{
    [Fact]
    public async Task RunAsync_InitialListOfTwoPages_EmitsEveryObjectOnceThenSynced()
    {
        await using var h = await InformerHarness.CreateAsync(KubeResource.Pods, pageSize: 2);
        var rv1 = h.Server.Upsert(h.Path, Pod("b", "p1"));
        var rv2 = h.Server.Upsert(h.Path, Pod("a", "p2"));
        var rv3 = h.Server.Upsert(h.Path, Pod("a", "p1"));

        var events = await h.StartAndSyncAsync();

        Assert.Equal([$"Added a/p1@{rv3}", $"Added a/p2@{rv2}", $"Added b/p1@{rv1}", "Synced Pod"], events);
        var lists = h.Server.ListRequests(h.Path);
        Assert.Equal(2, lists.Count);
        Assert.Equal("2", lists[0].Get("limit"));
        Assert.Null(lists[0].Get("continue"));
        Assert.False(string.IsNullOrEmpty(lists[1].Get("continue")));
        Assert.Equal(h.Server.State(h.Path), h.CacheState());
        Assert.Equal(rv3, h.Informer.ResourceVersion);
        Assert.True(h.Informer.HasSynced);
        var cached = h.Informer.Cache.Get("a/p1")!;
        Assert.Equal("Pod", (string?)cached["kind"]);
        Assert.Equal("v1", (string?)cached["apiVersion"]);
    }

    [Fact]
    public async Task RunAsync_WatchAddedModifiedDeleted_EmitsEachOnceAndCacheMatchesServer()
    {
        await using var h = await InformerHarness.CreateAsync(KubeResource.Pods);
        h.Server.Upsert(h.Path, Pod("a", "p1", ip: "198.18.1.1"));
        h.Server.Upsert(h.Path, Pod("a", "p2"));
        await h.StartAndSyncAsync();

        var added = h.Server.Upsert(h.Path, Pod("c", "p3"));
        var modified = h.Server.Upsert(h.Path, Pod("a", "p1", ip: "198.18.1.99"));
        var deleted = h.Server.Delete(h.Path, "a", "p2");

        Assert.Equal([$"Added c/p3@{added}", $"Modified a/p1@{modified}", $"Deleted a/p2@{deleted}"], await h.TakeAsync(3));
        Assert.Equal(h.Server.State(h.Path), h.CacheState());
        Assert.Equal("198.18.1.99", (string?)h.Informer.Cache.Get("a/p1")!["status"]!["podIP"]);
        Assert.Equal(deleted, h.Informer.ResourceVersion);
        await h.AssertNoOtherEventsAsync();
        var watch = Assert.Single(h.Server.WatchRequests(h.Path));
        Assert.Equal("true", watch.Get("allowWatchBookmarks"));
        Assert.NotNull(watch.Get("timeoutSeconds"));
    }

    [Fact]
    public async Task RunAsync_Bookmark_NextWatchStartsFromBookmarkVersionWithoutEvents()
    {
        await using var h = await InformerHarness.CreateAsync(KubeResource.Namespaces);
        var listed = h.Server.Upsert(h.Path, Namespace("apps", "ambient"));
        await h.StartAndSyncAsync();
        await h.Server.WaitForWatchesAsync(h.Path, 1);

        var bookmark = h.Server.Bookmark(h.Path);
        h.Server.EndWatches(); // clean end, as at timeoutSeconds: the bookmark is delivered first
        await h.Server.WaitForWatchesAsync(h.Path, 2);

        var watches = h.Server.WatchRequests(h.Path);
        Assert.Equal(listed, watches[0].Get("resourceVersion"));
        Assert.Equal(bookmark, watches[1].Get("resourceVersion"));
        Assert.NotEqual(listed, bookmark);
        await h.AssertNoOtherEventsAsync();
        Assert.Single(h.Server.ListRequests(h.Path));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task RunAsync_GoneAfterMissedChanges_RelistsAndEmitsExactDifference(bool goneAsErrorEvent)
    {
        await using var h = await InformerHarness.CreateAsync(KubeResource.Pods);
        h.Server.GoneAsErrorEvent = goneAsErrorEvent;
        var keep = h.Server.Upsert(h.Path, Pod("a", "keep"));
        h.Server.Upsert(h.Path, Pod("a", "change"));
        var goneRv = h.Server.Upsert(h.Path, Pod("b", "gone"));
        await h.StartAndSyncAsync();
        await h.Server.WaitForWatchesAsync(h.Path, 1);

        // While the client is disconnected: changes it cannot see, then history compaction.
        h.Server.HoldWatches();
        h.Server.DropWatches();
        var changed = h.Server.Upsert(h.Path, Pod("a", "change", ip: "198.18.1.77"));
        h.Server.Delete(h.Path, "b", "gone");
        var added = h.Server.Upsert(h.Path, Pod("c", "new"));
        h.Server.Compact();
        h.Server.ReleaseWatches();

        Assert.Equal([$"Deleted b/gone@{goneRv}", $"Modified a/change@{changed}", $"Added c/new@{added}"], await h.TakeAsync(3));
        Assert.Equal(h.Server.State(h.Path), h.CacheState());
        Assert.Equal(keep, h.CacheState()["a/keep"]);
        await h.AssertNoOtherEventsAsync(); // no second Synced, no repeated Added for a/keep
        var lists = h.Server.ListRequests(h.Path).Where(r => r.Get("continue") is null).ToList();
        Assert.Equal(2, lists.Count);
        Assert.Equal(added, h.Server.WatchRequests(h.Path)[^1].Get("resourceVersion"));
    }

    [Fact]
    public async Task RunAsync_ErrorEventGoneOnOpenWatch_RelistsWithoutEmittingUnchangedObjects()
    {
        await using var h = await InformerHarness.CreateAsync(KubeResource.Pods);
        h.Server.Upsert(h.Path, Pod("a", "p1"));
        h.Server.Upsert(h.Path, Pod("a", "p2"));
        await h.StartAndSyncAsync();
        await h.Server.WaitForWatchesAsync(h.Path, 1);

        h.Server.ExpireWatches();
        await h.Server.WaitForWatchesAsync(h.Path, 2);

        await h.AssertNoOtherEventsAsync();
        Assert.Equal(2, h.Server.ListRequests(h.Path).Count(r => r.Get("continue") is null));
        Assert.Equal(h.Server.State(h.Path), h.CacheState());
    }

    [Fact]
    public async Task RunAsync_ConnectionDropped_ResumesFromLastVersionWithoutDuplicates()
    {
        await using var h = await InformerHarness.CreateAsync(KubeResource.Pods);
        h.Server.ReplayRequestedVersion = true; // the server re-sends the event at the resumed version
        h.Server.Upsert(h.Path, Pod("a", "p1"));
        await h.StartAndSyncAsync();
        await h.Server.WaitForWatchesAsync(h.Path, 1);
        var seen = h.Server.Upsert(h.Path, Pod("a", "p2"));
        Assert.Equal([$"Added a/p2@{seen}"], await h.TakeAsync(1));

        h.Server.DropWatches();
        var missed = h.Server.Upsert(h.Path, Pod("a", "p3"));

        Assert.Equal([$"Added a/p3@{missed}"], await h.TakeAsync(1));
        await h.AssertNoOtherEventsAsync();
        Assert.Equal(seen, h.Server.WatchRequests(h.Path)[1].Get("resourceVersion"));
        Assert.Single(h.Server.ListRequests(h.Path));
        Assert.Equal(h.Server.State(h.Path), h.CacheState());
    }

    [Fact]
    public async Task RunAsync_UnreadableLineThenEvent_RewatchesAndDeliversTheEventOnce()
    {
        // The library reports a bad line to its error callback and reads on; the informer must not
        // apply what follows out of order, but re-watch from its last good version.
        await using var h = await InformerHarness.CreateAsync(KubeResource.Pods);
        h.Server.Upsert(h.Path, Pod("a", "p1"));
        await h.StartAndSyncAsync();
        await h.Server.WaitForWatchesAsync(h.Path, 1);
        var seen = h.Server.Upsert(h.Path, Pod("a", "p2"));
        Assert.Equal([$"Added a/p2@{seen}"], await h.TakeAsync(1)); // the watch is open and streaming

        h.Server.SendUnreadableLine();
        var after = h.Server.Upsert(h.Path, Pod("a", "p3"));

        Assert.Equal([$"Added a/p3@{after}"], await h.TakeAsync(1));
        await h.AssertNoOtherEventsAsync();
        var watches = h.Server.WatchRequests(h.Path);
        Assert.True(watches.Count >= 2, "a bad line ends the watch");
        Assert.Equal(seen, watches[1].Get("resourceVersion"));
        Assert.Single(h.Server.ListRequests(h.Path));
    }

    [Fact]
    public async Task RunAsync_LargeObject_ArrivesWholeWithoutManagedFields()
    {
        await using var h = await InformerHarness.CreateAsync(KubeResource.Pods);
        await h.StartAndSyncAsync();
        var pod = Pod("a", "big");
        var blob = new string('x', 300_000);
        pod["metadata"]!["annotations"] = new System.Text.Json.Nodes.JsonObject { ["blob"] = blob, [KubeInformer.LastAppliedAnnotation] = "{}" };
        pod["metadata"]!["managedFields"] = new System.Text.Json.Nodes.JsonArray(new System.Text.Json.Nodes.JsonObject { ["manager"] = "kubectl" });

        var rv = h.Server.Upsert(h.Path, pod);

        var ev = await h.NextAsync();
        Assert.Equal($"Added a/big@{rv}", InformerHarness.Describe(ev));
        Assert.Equal(blob, (string?)ev.Object["metadata"]!["annotations"]!["blob"]);
        Assert.Null(ev.Object["metadata"]!["managedFields"]);
        Assert.Null(ev.Object["metadata"]!["annotations"]![KubeInformer.LastAppliedAnnotation]);
    }

    [Fact]
    public async Task RunAsync_ListRefused_RetriesUntilAccepted()
    {
        await using var h = await InformerHarness.CreateAsync(KubeResource.Pods);
        var rv = h.Server.Upsert(h.Path, Pod("a", "p1"));
        var token = h.Server.Token;
        h.Server.Token = "not-the-clients-token";
        h.Start();
        for (var i = 0; i < 2000 && h.Server.ListRequests(h.Path).Count < 2; i++)
        {
            await Task.Delay(10);
        }

        Assert.False(h.Informer.HasSynced);
        h.Server.Token = token;

        Assert.Equal([$"Added a/p1@{rv}", "Synced Pod"], await h.TakeAsync(2));
        var lists = h.Server.ListRequests(h.Path);
        Assert.True(lists.Count >= 3);
        Assert.All(lists.SkipLast(1), r => Assert.Null(r.User));
        Assert.Equal("token", lists[^1].User);
    }

    [Fact]
    public async Task RunAsync_ResourceNotServed_SyncsEmptyThenListsOnceInstalled()
    {
        await using var h = await InformerHarness.CreateAsync(KubeResource.Gateways);
        h.Server.SetServed(h.Path, served: false);

        Assert.Equal(["Synced Gateway"], await h.StartAndSyncAsync());
        Assert.Empty(h.CacheState());

        h.Server.SetServed(h.Path, served: true);
        var gateway = new System.Text.Json.Nodes.JsonObject
        {
            ["apiVersion"] = "gateway.networking.k8s.io/v1",
            ["kind"] = "Gateway",
            ["metadata"] = new System.Text.Json.Nodes.JsonObject { ["name"] = "waypoint", ["namespace"] = "apps" },
            ["spec"] = new System.Text.Json.Nodes.JsonObject { ["gatewayClassName"] = "mesh-waypoint" },
        };
        var rv = h.Server.Upsert(h.Path, gateway);

        Assert.Equal([$"Added apps/waypoint@{rv}"], await h.TakeAsync(1));
        Assert.Equal("gateway.networking.k8s.io/v1", (string?)h.Informer.Cache.Get("apps/waypoint")!["apiVersion"]);
    }
}
