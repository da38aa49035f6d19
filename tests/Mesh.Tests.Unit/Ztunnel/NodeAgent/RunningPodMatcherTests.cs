using System.Net;
using Mesh.Core.Model;
using Mesh.Ztunnel.NodeAgent;

namespace Mesh.Tests.Unit.Ztunnel.NodeAgent;

public sealed class RunningPodMatcherTests
{
    private const string A = "aaaaaaaa-0000-0000-0000-000000000001";
    private const string B = "bbbbbbbb-0000-0000-0000-000000000002";

    private static Workload Pod(string uid, string ip) => new()
    {
        Uid = uid, Name = "p-" + uid[..4], Namespace = "app", Node = "node1", ServiceAccount = "sa",
        Addresses = [IPAddress.Parse(ip)],
    };

    private static ProcessNetns Process(int pid, string podUid, ulong inode, params string[] ips) =>
        new(pid, $"/kubepods/besteffort/pod{podUid}/ctr", inode, ips.Select(IPAddress.Parse).ToHashSet());

    [Fact]
    public void Match_ProcessInThePodCgroupWithThePodIp_FoundWithItsPinnedNetns()
    {
        var found = RunningPodMatcher.Match([Pod(A, "198.18.1.2"), Pod(B, "198.18.1.3")],
            [Process(40, A, 7, "198.18.1.2"), Process(41, B, 8, "198.18.1.3")],
            new Dictionary<ulong, string> { [7] = "/run/netns/cni-a" },
            uid => "/cg/" + uid);

        Assert.Equal(2, found.Length);
        Assert.Equal(("/run/netns/cni-a", "/cg/" + A, "198.18.1.2"), (found[0].NetnsPath, found[0].CgroupPath, found[0].Ip));
        // No pin: the process's own namespace link.
        Assert.Equal("/proc/41/ns/net", found[1].NetnsPath);
    }

    [Fact]
    public void Match_SameIpInAnotherPodsNetnsOrIpMissing_NotMatched()
    {
        var found = RunningPodMatcher.Match([Pod(A, "198.18.1.2"), Pod(B, "198.18.1.3")],
            // B's process holds A's address (another cluster's namespace), and not its own.
            [Process(40, B, 8, "198.18.1.2")],
            new Dictionary<ulong, string>(), uid => "/cg/" + uid);

        Assert.Empty(found);
    }

    [Fact]
    public void Match_PodWithoutCgroup_Skipped()
    {
        var found = RunningPodMatcher.Match([Pod(A, "198.18.1.2")], [Process(40, A, 7, "198.18.1.2")],
            new Dictionary<ulong, string>(), _ => null);

        Assert.Empty(found);
    }
}
