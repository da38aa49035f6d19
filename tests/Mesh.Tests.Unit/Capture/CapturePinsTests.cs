using Mesh.Ztunnel.Redirection;

namespace Mesh.Tests.Unit.Capture;

public sealed class CapturePinsTests
{
    [Theory]
    [InlineData("app/client", "app%2Fclient")]
    [InlineData("ns/a.b", "ns%2Fa%2Eb")]
    [InlineData("3f2c-uid_1", "3f2c-uid_1")]
    [InlineData("..", "%2E%2E")]
    public void PodKey_Uid_IsOneFileNameAndReversible(string uid, string key)
    {
        Assert.Equal(key, CapturePins.PodKey(uid));
        Assert.Equal(uid, CapturePins.UidFromKey(key));
    }

    [Theory]
    [InlineData("app.client")]
    [InlineData("%zz")]
    [InlineData("")]
    public void UidFromKey_NotAKey_IsNull(string key) => Assert.Null(CapturePins.UidFromKey(key));

    [Fact]
    public void For_Instance_PinsUnderMeshFolder()
    {
        var pins = CapturePins.For(new RedirectionOptions { Instance = "lab1-node1", BpfFsRoot = "/sys/fs/bpf" });

        Assert.Equal("/sys/fs/bpf/mesh/lab1-node1", pins.Root);
        Assert.Equal("/sys/fs/bpf/mesh/lab1-node1/maps/enrolled_pods", pins.Map("enrolled_pods"));
        Assert.Equal("/sys/fs/bpf/mesh/lab1-node1/pods/app%2Fclient/capture_connect4", pins.PodLink("app/client", "capture_connect4"));
    }

    [Theory]
    [InlineData("node1", true)]
    [InlineData("t1234567-node-2", true)]
    [InlineData("", false)]
    [InlineData("-x", false)]
    [InlineData("Node1", false)]
    [InlineData("a/b", false)]
    public void IsValidInstance_Name_AcceptsOnlyFolderSafeNames(string name, bool valid) =>
        Assert.Equal(valid, CapturePins.IsValidInstance(name));
}
