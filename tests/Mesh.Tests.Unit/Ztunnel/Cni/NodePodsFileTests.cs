using System.Net;
using Mesh.Ztunnel.Cni;

namespace Mesh.Tests.Unit.Ztunnel.Cni;

public sealed class NodePodsFileTests
{
    [Fact]
    public void Parse_LabReport_ReadsPodsAndIgnoresExtraFields()
    {
        const string json = """
            [{"uid":"app/a","name":"a","namespace":"app","serviceAccount":"default","ip":"198.18.1.2",
              "netnsPath":"/run/netns/lab-app-a","cgroupPath":"/sys/fs/cgroup/unified/mesh-lab/lab/a","node":"node1","labels":{}}]
            """;

        var pods = NodePodsFile.Parse(json, out var problems);

        var pod = Assert.Single(pods);
        Assert.Equal(new NodePod("app/a", IPAddress.Parse("198.18.1.2"), "/run/netns/lab-app-a", "/sys/fs/cgroup/unified/mesh-lab/lab/a"), pod);
        Assert.Empty(problems);
    }

    [Fact]
    public void Parse_BadEntries_SkippedWithReason()
    {
        const string json = """
            [{"uid":"app/a","ip":"not-an-ip","netnsPath":"/n","cgroupPath":"/c"},
             {"uid":"app/b","ip":"198.18.1.3"},
             {"uid":"app/c","ip":"198.18.1.4","netnsPath":"/n","cgroupPath":"/c"}]
            """;

        var pods = NodePodsFile.Parse(json, out var problems);

        Assert.Equal(["app/c"], pods.Select(p => p.Uid));
        Assert.Equal(2, problems.Length);
        Assert.Contains("'not-an-ip' is not an address", problems[0], StringComparison.Ordinal);
        Assert.Contains("netnsPath and cgroupPath are required", problems[1], StringComparison.Ordinal);
    }
}
