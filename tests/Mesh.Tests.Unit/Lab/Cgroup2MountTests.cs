using Mesh.Lab.Planning;

namespace Mesh.Tests.Unit.Lab;

public sealed class Cgroup2MountTests
{
    [Fact]
    public void Find_HybridHierarchy_ReturnsTheUnifiedMount()
    {
        const string mounts = """
            tmpfs /sys/fs/cgroup tmpfs rw,relatime,mode=755 0 0
            cgroup /sys/fs/cgroup/cpu cgroup rw,relatime,cpu 0 0
            cgroup2 /sys/fs/cgroup/unified cgroup2 rw,relatime 0 0
            """;

        Assert.Equal("/sys/fs/cgroup/unified", Cgroup2Mount.Find(mounts));
    }

    [Fact]
    public void Find_UnifiedOnly_ReturnsSysFsCgroup() =>
        Assert.Equal("/sys/fs/cgroup", Cgroup2Mount.Find("cgroup2 /sys/fs/cgroup cgroup2 rw,nosuid 0 0\n"));

    [Fact]
    public void Find_EscapedSpace_IsDecoded() =>
        Assert.Equal("/mnt/my cg", Cgroup2Mount.Find("none /mnt/my\\040cg cgroup2 rw 0 0\n"));

    [Fact]
    public void Find_NoCgroup2_ReturnsNull() =>
        Assert.Null(Cgroup2Mount.Find("cgroup /sys/fs/cgroup/cpu cgroup rw 0 0\n"));
}
