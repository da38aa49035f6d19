using System.Diagnostics;
using Mesh.ControlPlane.Leadership;
using Mesh.ControlPlane.Metrics;
using Mesh.ControlPlane.Waypoints;
using Mesh.Tests.Common;
using Microsoft.Extensions.Logging.Abstractions;
using static Mesh.Tests.Unit.ControlPlane.Waypoints.WaypointCluster;

namespace Mesh.Tests.Unit.ControlPlane.Leadership;

/// <summary>
/// Two control plane replicas (each a <see cref="LeaderElection"/> running a <see cref="WaypointController"/>, each
/// with its own client certificate so the request log tells them apart) against one stand-in API server
/// (<see cref="FakeKubeApiServer"/>; no API server can run here).
/// </summary>
public sealed class LeaderElectionTests : IAsyncLifetime
{
    private const string LeasePath = "/apis/coordination.k8s.io/v1/leases";
    private static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(3);
    private FakeKubeApiServer _server = null!;
    private readonly List<Replica> _replicas = [];

    public async Task InitializeAsync() => _server = await FakeKubeApiServer.StartAsync();

    public async Task DisposeAsync()
    {
        foreach (var replica in _replicas)
        {
            await replica.DisposeAsync();
        }
        await _server.DisposeAsync();
    }

    private async Task<Replica> StartReplicaAsync(string name, bool releaseOnStop = true)
    {
        var replica = new Replica(_server, name, releaseOnStop);
        _replicas.Add(replica);
        await replica.Election.StartAsync(CancellationToken.None);
        return replica;
    }

    private string? Holder() => (string?)_server.Get(LeasePath, "mesh-system", LeaderElectionOptions.DefaultLeaseName)?["spec"]?["holderIdentity"];

    /// <summary>The users that wrote anything but the Lease (object writes and status) since request <paramref name="from"/>.</summary>
    private HashSet<string?> Writers(int from = 0) =>
        [.. _server.Requests.Skip(from).Where(r => r.Method is "PATCH" or "POST" or "PUT" or "DELETE" && !r.Path.Contains("/leases", StringComparison.Ordinal)).Select(r => r.User)];

    [Fact]
    public async Task TwoReplicas_OneLease_OnlyTheLeaderWrites()
    {
        var a = await StartReplicaAsync("cp-a");
        var b = await StartReplicaAsync("cp-b");
        AddGateway(_server, "apps", "waypoint");

        await WaitForAsync(_server, () => IsProgrammed(_server, "apps", "waypoint"), "Gateway apps/waypoint Programmed");

        var leader = Holder();
        Assert.Contains(leader, new[] { "cp-a", "cp-b" });
        Assert.Equal([leader], Writers());
        var (leading, following) = leader == "cp-a" ? (a, b) : (b, a);
        Assert.True(leading.Election.IsLeader);
        // The follower learns who leads at its next look at the Lease (one retry period).
        await WaitForAsync(_server, () => following.Election.Leader == leader, "the follower sees the leader");
        Assert.False(following.Election.IsLeader);
        Assert.Equal([leader], Writers());
        Assert.Equal((1, 0), (leading.Metrics.Leader, following.Metrics.Leader));
    }

    [Fact]
    public async Task LeaderStops_OtherTakesOverWithinTheLeaseDuration()
    {
        var a = await StartReplicaAsync("cp-a");
        await WaitForAsync(_server, () => a.Election.IsLeader, "cp-a leads");
        var b = await StartReplicaAsync("cp-b");
        await WaitForAsync(_server, () => b.Election.Leader == "cp-a", "cp-b sees cp-a lead");

        var from = _server.Requests.Count;
        var stopped = Stopwatch.StartNew();
        await a.Election.StopAsync(CancellationToken.None);
        AddGateway(_server, "apps", "waypoint");
        await WaitForAsync(_server, () => Holder() == "cp-b", "cp-b holds the Lease");
        var tookOver = stopped.Elapsed;
        await WaitForAsync(_server, () => IsProgrammed(_server, "apps", "waypoint"), "Gateway apps/waypoint Programmed by the new leader");

        Assert.Equal(["cp-b"], Writers(from));
        Assert.Equal((0, 1), (a.Metrics.Leader, b.Metrics.Leader));
        Assert.True(tookOver < LeaseDuration, $"cp-b took the Lease {tookOver.TotalSeconds:F1} s after cp-a stopped (lease {LeaseDuration.TotalSeconds} s)");
    }

    [Fact]
    public async Task LeaderGoneWithoutRelease_OtherTakesOverAfterTheLeaseExpires()
    {
        var a = await StartReplicaAsync("cp-a", releaseOnStop: false);
        await WaitForAsync(_server, () => a.Election.IsLeader, "cp-a leads");
        var b = await StartReplicaAsync("cp-b");
        await WaitForAsync(_server, () => b.Election.Leader == "cp-a", "cp-b sees cp-a lead");

        var from = _server.Requests.Count;
        await a.Election.StopAsync(CancellationToken.None); // as a crash: the Lease stays cp-a's until it expires
        Assert.Equal("cp-a", Holder());
        AddGateway(_server, "apps", "waypoint");
        await WaitForAsync(_server, () => IsProgrammed(_server, "apps", "waypoint"), "Gateway apps/waypoint Programmed by the new leader");

        Assert.Equal("cp-b", Holder());
        Assert.Equal(["cp-b"], Writers(from));
    }

    private sealed class Replica : IAsyncDisposable
    {
        private readonly k8s.Kubernetes _client;

        public Replica(FakeKubeApiServer server, string name, bool releaseOnStop)
        {
            _client = Client(server, name);
            var controller = new WaypointController(_client, new WaypointSettings(), () => "PEM", informerOptions: FastInformers);
            Election = new LeaderElection(_client, new LeaderElectionOptions
            {
                Identity = name,
                LeaseDuration = LeaseDuration,
                RenewDeadline = TimeSpan.FromSeconds(2),
                RetryPeriod = TimeSpan.FromMilliseconds(400),
                ReleaseOnStop = releaseOnStop,
            }, [controller], Metrics, NullLogger<LeaderElection>.Instance);
        }

        public ControlPlaneMetrics Metrics { get; } = new();

        public LeaderElection Election { get; }

        public async ValueTask DisposeAsync()
        {
            await Election.StopAsync(CancellationToken.None);
            Election.Dispose();
            _client.Dispose();
        }
    }
}
