using System.Buffers;
using Mesh.ControlPlane.Discovery;
using Mesh.ControlPlane.Registry;
using Mesh.Core.Discovery;
using Mesh.Core.Identity;
using Mesh.Core.Model;
using Mesh.Tests.Common.ControlPlane;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mesh.Tests.Unit.ControlPlane;

/// <summary>The trust bundle as a discovery resource: published by the CA side, sent to every view, read by the proxies.</summary>
public sealed class TrustBundleDiscoveryTests
{
    private static readonly TrustBundle OldNew = new() { TrustDomain = "cluster.local", Anchors = ["-----BEGIN CERTIFICATE-----\nold\n-----END CERTIFICATE-----", "-----BEGIN CERTIFICATE-----\nnew\n-----END CERTIFICATE-----"] };
    private static readonly TrustBundle New = OldNew with { Anchors = [OldNew.Anchors[1]] };

    private static (DiscoveryState State, TrustBundleFeed Feed, RegistrySnapshot Snapshot) Setup()
    {
        var time = new ManualTime(DateTimeOffset.UnixEpoch.AddDays(1));
        var feed = new TrustBundleFeed();
        var state = new DiscoveryState(new MeshStateHub(), time, NullLogger<DiscoveryState>.Instance, feed);
        return (state, feed, new RegistrySnapshot(1, MeshState.Empty, [], [], time.GetUtcNow()));
    }

    private static DiscoveryClient Client() => new(new DiscoveryClientOptions
    {
        ControlPlane = new ControlPlaneClientOptions { Address = new Uri("https://127.0.0.1:15012"), TrustBundleFile = "/nonexistent/bundle.pem" },
    });

    private static void Send(DiscoveryState state, DiscoveryClient client, long? from)
    {
        var plan = DeltaPlanner.Plan(state.Current!, state.History, new DiscoveryView("node0", false), from is null ? null : state.Epoch, from ?? 0, null);
        var output = new ArrayBufferWriter<byte>();
        DiscoveryMessageWriter.Write(output, state.Current!, new DiscoveryView("node0", false), plan);
        client.Apply(new ReadOnlySequence<byte>(output.WrittenMemory));
    }

    [Fact]
    public void Publish_BundleChanges_NewVersionCarriesItAsADelta()
    {
        var (state, feed, snapshot) = Setup();
        feed.Publish(OldNew);
        state.Apply(snapshot);
        using var client = Client();
        Send(state, client, null);
        var first = state.Current!.Version;

        Assert.False(feed.Publish(OldNew with { }));
        Assert.True(feed.Publish(New));
        state.Apply(snapshot);
        Send(state, client, first);

        Assert.Equal(first + 1, state.Current.Version);
        Assert.Equal(New.Anchors.ToArray(), client.Current.TrustBundle!.Anchors.ToArray());
    }

    [Fact]
    public void Plan_ProxyMissedAnUpdateAndReconnects_FullStateCarriesTheWholeBundle()
    {
        var (state, feed, snapshot) = Setup();
        feed.Publish(OldNew);
        state.Apply(snapshot);
        using var client = Client();
        Send(state, client, null);
        feed.Publish(New);
        state.Apply(snapshot);
        feed.Publish(OldNew);
        state.Apply(snapshot);

        // A control plane that restarted (another epoch) answers the resume with a full state.
        Send(state, client, null);

        Assert.Equal(OldNew.Anchors.ToArray(), client.Current.TrustBundle!.Anchors.ToArray());
        Assert.Equal("cluster.local", client.Current.TrustBundle.TrustDomain);
    }
}
