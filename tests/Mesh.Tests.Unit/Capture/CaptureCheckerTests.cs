using Mesh.Native.Check;

namespace Mesh.Tests.Unit.Capture;

public sealed class CaptureCheckerTests
{
    [Fact]
    public void CheckCapabilities_Root_Passes()
    {
        var result = CaptureChecker.CheckCapabilities("Name:\tx\nCapEff:\t000001ffffffffff\n");

        Assert.True(result.Ok);
    }

    [Fact]
    public void CheckCapabilities_NoBpf_NamesWhatIsMissingAndWhatToDo()
    {
        // CAP_NET_ADMIN (12) and CAP_SYS_ADMIN (21) only
        var result = CaptureChecker.CheckCapabilities($"CapEff:\t{(1UL << 12) | (1UL << 21):x16}\n");

        Assert.False(result.Ok);
        Assert.Equal("missing CAP_BPF", result.Detail);
        Assert.Contains("root", result.Fix);
        Assert.StartsWith("FAIL  capabilities: missing CAP_BPF -> ", result.ToString());
    }

    [Fact]
    public void CheckCgroup2_UnifiedMount_IsFound()
    {
        var result = CaptureChecker.CheckCgroup2("tmpfs /sys/fs/cgroup tmpfs rw 0 0\ncgroup2 /sys/fs/cgroup/unified cgroup2 rw 0 0\n");

        Assert.True(result.Ok);
        Assert.Contains("/sys/fs/cgroup/unified", result.Detail);
    }

    [Fact]
    public void CheckCgroup2_OnlyV1_FailsWithFix()
    {
        var result = CaptureChecker.CheckCgroup2("cgroup /sys/fs/cgroup/cpu cgroup rw,cpu 0 0\n");

        Assert.False(result.Ok);
        Assert.Contains("mount -t cgroup2", result.Fix);
    }
}
