using System.Net;
using Mesh.Ztunnel.NodeAgent;

namespace Mesh.Tests.Unit.Ztunnel.NodeAgent;

/// <summary>The /proc texts the scan for running pods reads: fib_trie, mountinfo, cgroup.</summary>
public sealed class ProcFilesTests
{
    private const string FibTrie = """
        Main:
          +-- 0.0.0.0/0 3 0 5
             |-- 0.0.0.0
                /0 universe UNICAST
             +-- 127.0.0.0/8 2 0 2
                +-- 127.0.0.0/31 1 0 0
                   |-- 127.0.0.0
                      /8 host LOCAL
                   |-- 127.0.0.1
                      /32 host LOCAL
                |-- 127.255.255.255
                   /32 link BROADCAST
             +-- 198.18.1.0/24 2 0 2
                |-- 198.18.1.0
                   /24 link UNICAST
                |-- 198.18.1.7
                   /32 host LOCAL
                |-- 198.18.1.255
                   /32 link BROADCAST
        Local:
          +-- 0.0.0.0/0 3 0 5
                |-- 198.18.1.7
                   /32 host LOCAL
        """;

    [Fact]
    public void LocalAddresses_PodNamespace_OnlyItsOwnNonLoopbackAddress()
    {
        Assert.Equal([IPAddress.Parse("198.18.1.7")], FibTrie_().ToArray());
    }

    private static IReadOnlySet<IPAddress> FibTrie_() => Mesh.Ztunnel.NodeAgent.FibTrie.LocalAddresses(FibTrie);

    [Fact]
    public void NetnsPins_Mountinfo_NsfsMountsByInode()
    {
        const string mountinfo = """
            22 1 259:1 / / rw,relatime shared:1 - ext4 /dev/root rw
            612 25 0:4 net:[4026532281] /run/netns/cni-1b2c rw shared:301 - nsfs nsfs rw
            613 612 0:4 net:[4026532281] /run/netns/cni-1b2c rw shared:301 - nsfs nsfs rw
            700 25 0:4 net:[4026532999] /run/netns/with\040space rw - nsfs nsfs rw
            701 25 0:4 mnt:[4026532100] /run/mntns/x rw - nsfs nsfs rw
            """;

        var pins = NsfsMounts.NetnsPins(mountinfo);

        Assert.Equal(2, pins.Count);
        Assert.Equal("/run/netns/cni-1b2c", pins[4026532281]);
        Assert.Equal("/run/netns/with space", pins[4026532999]);
    }

    [Theory]
    [InlineData("net:[4026531840]", 4026531840UL)]
    [InlineData("mnt:[4026531840]", null)]
    [InlineData("net:[x]", null)]
    public void NetnsInode_LinkText_Parsed(string text, ulong? inode)
    {
        Assert.Equal(inode, NsfsMounts.NetnsInode(text));
    }

    [Fact]
    public void UnifiedCgroup_HybridOrV2_TheZeroLine()
    {
        Assert.Equal("/kubepods/besteffort/podx", ProcScanner.UnifiedCgroup("12:cpu:/kubepods\n0::/kubepods/besteffort/podx\n"));
        Assert.Null(ProcScanner.UnifiedCgroup("12:cpu:/kubepods\n"));
    }
}
