using Mesh.Ztunnel.Host;
using Mesh.Ztunnel.NodeAgent;

namespace Mesh.Tests.Unit.Capture;

public sealed class NodePodsFileTests
{
    [Fact]
    public void Parse_LabPodsJson_ReadsEveryField()
    {
        const string json = """
            [{"uid":"demo/client","name":"client","namespace":"demo","serviceAccount":"client","ip":"198.18.1.2",
              "netnsPath":"/run/netns/x-demo-client","cgroupPath":"/sys/fs/cgroup/mesh-lab/x/client","node":"node1",
              "labels":{"app":"client"}}]
            """;

        var pod = Assert.Single(NodePodsFile.Parse(json));

        Assert.Equal("demo/client", pod.Uid);
        Assert.Equal("demo", pod.Namespace);
        Assert.Equal("198.18.1.2", pod.Ip);
        Assert.Equal("/run/netns/x-demo-client", pod.NetnsPath);
        Assert.Equal("/sys/fs/cgroup/mesh-lab/x/client", pod.CgroupPath);
        Assert.Equal("client", pod.Labels["app"]);
    }
}
