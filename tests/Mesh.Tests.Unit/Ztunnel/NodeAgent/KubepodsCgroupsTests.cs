using Mesh.Ztunnel.NodeAgent;

namespace Mesh.Tests.Unit.Ztunnel.NodeAgent;

public sealed class KubepodsCgroupsTests : IDisposable
{
    private const string Uid = "0f4c2a1e-9b7d-4e3a-8c21-5d6e7f8a9b0c";
    private readonly string _root = Directory.CreateTempSubdirectory("kubepods-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Make(string relative)
    {
        var path = Path.Combine(_root, relative);
        Directory.CreateDirectory(path);
        return path;
    }

    [Theory]
    [InlineData("kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod0f4c2a1e_9b7d_4e3a_8c21_5d6e7f8a9b0c.slice")]
    [InlineData("kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod0f4c2a1e_9b7d_4e3a_8c21_5d6e7f8a9b0c.slice")]
    [InlineData("kubepods.slice/kubepods-pod0f4c2a1e_9b7d_4e3a_8c21_5d6e7f8a9b0c.slice")]
    [InlineData("kubepods/besteffort/pod0f4c2a1e-9b7d-4e3a-8c21-5d6e7f8a9b0c")]
    [InlineData("kubepods/burstable/pod0f4c2a1e-9b7d-4e3a-8c21-5d6e7f8a9b0c")]
    [InlineData("kubepods/pod0f4c2a1e-9b7d-4e3a-8c21-5d6e7f8a9b0c")]
    public void Find_PodCgroupOfEitherDriverAndQos_FoundFromTheUid(string relative)
    {
        var expected = Make(relative);
        // Other pods' cgroups around it do not confuse the lookup.
        Make("kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod11111111_2222_3333_4444_555555555555.slice");
        Make("kubepods/burstable/pod11111111-2222-3333-4444-555555555555");

        Assert.Equal(expected, KubepodsCgroups.Find(_root, Uid, Directory.Exists));
    }

    [Fact]
    public void Find_NoSuchPodOrNotAUid_Null()
    {
        Make("kubepods/besteffort/pod11111111-2222-3333-4444-555555555555");

        Assert.Null(KubepodsCgroups.Find(_root, Uid, Directory.Exists));
        Assert.Null(KubepodsCgroups.Find(_root, "../../etc", Directory.Exists));
        Assert.Null(KubepodsCgroups.Find(_root, "default/client", Directory.Exists));
    }

    [Theory]
    [InlineData("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod0f4c2a1e_9b7d_4e3a_8c21_5d6e7f8a9b0c.slice/cri-containerd-abc.scope")]
    [InlineData("/kubepods.slice/kubepods-pod0f4c2a1e_9b7d_4e3a_8c21_5d6e7f8a9b0c.slice")]
    [InlineData("/kubepods/besteffort/pod0f4c2a1e-9b7d-4e3a-8c21-5d6e7f8a9b0c/4f1d2c")]
    [InlineData("/mesh-lab/t1/kubepods/pod0f4c2a1e-9b7d-4e3a-8c21-5d6e7f8a9b0c")]
    public void PodUidOf_ContainerOrPodCgroup_NamesThePod(string cgroup)
    {
        Assert.Equal(Uid, KubepodsCgroups.PodUidOf(cgroup));
    }

    [Theory]
    [InlineData("/system.slice/containerd.service")]
    [InlineData("/user.slice/pod0f4c2a1e-9b7d-4e3a-8c21-5d6e7f8a9b0c")]
    [InlineData("/kubepods.slice/kubepods-besteffort.slice")]
    [InlineData("/")]
    public void PodUidOf_NotAPodCgroup_Null(string cgroup)
    {
        Assert.Null(KubepodsCgroups.PodUidOf(cgroup));
    }
}
