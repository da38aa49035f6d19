using Mesh.Core.Model;
using Mesh.Ztunnel.Outbound;
using static Mesh.Tests.Unit.Ztunnel.TestWorkloads;

namespace Mesh.Tests.Unit.Ztunnel.Outbound;

public sealed class EndpointPickerTests
{
    private static readonly Workload Client = Pod("app", "client", "198.18.1.10", node: "node1");
    private static readonly Workload Local = Pod("app", "local", "198.18.1.20", node: "node1");
    private static readonly Workload RemoteA = Pod("app", "remote-a", "198.18.2.20", node: "node2");
    private static readonly Workload RemoteB = Pod("app", "remote-b", "198.18.2.21", node: "node2");

    private static Dictionary<string, int> Spread(Func<Workload> pick, int times = 400)
    {
        var counts = new Dictionary<string, int>();
        for (var i = 0; i < times; i++)
        {
            var uid = pick().Uid;
            counts[uid] = counts.GetValueOrDefault(uid) + 1;
        }
        return counts;
    }

    [Fact]
    public void Pick_PreferCloseWithLocalEndpoint_AlwaysLocal()
    {
        var random = new Random(7);
        var load = new Loads { [Local.Uid] = 50 };

        var counts = Spread(() => EndpointPicker.Pick([RemoteA, Local, RemoteB], random, load, Client, TrafficDistribution.PreferClose));

        Assert.Equal(400, Assert.Single(counts, c => c.Key == Local.Uid).Value);
    }

    [Fact]
    public void Pick_PreferCloseWithoutLocalEndpoint_UsesAll()
    {
        var random = new Random(7);

        var counts = Spread(() => EndpointPicker.Pick([RemoteA, RemoteB], random, new Loads(), Client, TrafficDistribution.PreferClose));

        Assert.Equal(2, counts.Count);
        Assert.All(counts.Values, c => Assert.InRange(c, 140, 260));
    }

    [Fact]
    public void Pick_DefaultDistribution_LocalNotPreferred()
    {
        var random = new Random(7);

        var counts = Spread(() => EndpointPicker.Pick([RemoteA, Local, RemoteB], random, new Loads(), Client));

        Assert.Equal(3, counts.Count);
        Assert.All(counts.Values, c => Assert.InRange(c, 90, 180));
    }

    [Fact]
    public void Pick_TwoEndpointsOneBusier_AlwaysTheLessLoaded()
    {
        var random = new Random(3);
        var load = new Loads { [RemoteA.Uid] = 2, [RemoteB.Uid] = 1 };

        var counts = Spread(() => EndpointPicker.Pick([RemoteA, RemoteB], random, load));

        Assert.Equal(400, counts[RemoteB.Uid]);
    }

    [Fact]
    public void Pick_EqualLoads_TiesBrokenAtRandom()
    {
        var random = new Random(3);
        var load = new Loads { [RemoteA.Uid] = 4, [RemoteB.Uid] = 4 };

        var counts = Spread(() => EndpointPicker.Pick([RemoteA, RemoteB], random, load));

        Assert.All(counts.Values, c => Assert.InRange(c, 140, 260));
    }

    [Fact]
    public void Pick_ThreeEndpoints_MostLoadedNeverChosen()
    {
        // Power of two choices: the busiest of three loses every pair it is drawn into.
        var random = new Random(11);
        var load = new Loads { [Local.Uid] = 0, [RemoteA.Uid] = 1, [RemoteB.Uid] = 9 };

        var counts = Spread(() => EndpointPicker.Pick([Local, RemoteA, RemoteB], random, load));

        Assert.False(counts.ContainsKey(RemoteB.Uid));
        Assert.True(counts[Local.Uid] > counts[RemoteA.Uid], $"local {counts[Local.Uid]}, remote-a {counts[RemoteA.Uid]}");
    }

    [Fact]
    public void Pick_LoadFollowsOpenConnections_SpreadsEvenly()
    {
        // Connections that stay open: each pick is counted before the next, as the connection path does.
        var outstanding = new OutstandingConnections();
        var random = new Random(5);
        var leases = new List<OutstandingLease>();

        for (var i = 0; i < 30; i++)
        {
            leases.Add(outstanding.Open(EndpointPicker.Pick([Local, RemoteA, RemoteB], random, outstanding)));
        }

        Assert.All(new[] { Local, RemoteA, RemoteB }, w => Assert.InRange(outstanding.Load(w), 8, 12));
        leases.ForEach(l => l.Dispose());
    }

    [Fact]
    public void Pick_NoCandidates_Throws() =>
        Assert.Throws<ArgumentException>(() => EndpointPicker.Pick([], new Random(1), null));

    private sealed class Loads : Dictionary<string, long>, IEndpointLoad
    {
        public long Load(Workload endpoint) => TryGetValue(endpoint.Uid, out var n) ? n : 0;
    }
}
