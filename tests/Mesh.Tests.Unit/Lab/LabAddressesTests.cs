using System.Net;
using Mesh.Lab.Planning;

namespace Mesh.Tests.Unit.Lab;

public sealed class LabAddressesTests
{
    [Theory]
    [InlineData("198.18.0.0", true)]
    [InlineData("198.19.255.255", true)]
    [InlineData("198.17.255.255", false)]
    [InlineData("198.20.0.0", false)]
    [InlineData("10.0.0.1", false)]
    public void InLab_ChecksTheBenchmarkingRange(string ip, bool inside) =>
        Assert.Equal(inside, LabAddresses.InLab(IPAddress.Parse(ip)));

    [Fact]
    public void InLab_Ipv6_IsOutside() => Assert.False(LabAddresses.InLab(IPAddress.IPv6Loopback));

    [Theory]
    [InlineData(0, "198.19.128.1")]
    [InlineData(254, "198.19.128.255")]
    [InlineData(255, "198.19.129.0")]
    public void ServiceVip_CountsUpFromTheRangeStart(int n, string ip) =>
        Assert.Equal(ip, LabAddresses.ServiceVip(n).ToString());

    [Theory]
    [InlineData("198.19.128.0", false)]
    [InlineData("198.19.128.1", true)]
    [InlineData("198.19.255.254", true)]
    [InlineData("198.19.127.255", false)]
    public void IsServiceVip_OnlyInside198_19_128_0_17(string ip, bool ok) =>
        Assert.Equal(ok, LabAddresses.IsServiceVip(IPAddress.Parse(ip)));

    [Theory]
    [InlineData("198.18.3.0/24", true)]
    [InlineData("198.18.0.0/15", true)]
    [InlineData("198.18.0.0/14", false)]
    [InlineData("198.19.0.12", true)]
    [InlineData("0.0.0.0/0", false)]
    public void CidrInside_NeedsTheWholePrefixInside(string cidr, bool inside) =>
        Assert.Equal(inside, LabAddresses.CidrInside(cidr, LabAddresses.LabRange));

    [Fact]
    public void NodeAndPodAddresses_FollowThePlan()
    {
        Assert.Equal("198.19.0.13", LabAddresses.Node(3).ToString());
        Assert.Equal("198.18.3.1", LabAddresses.PodGateway(3).ToString());
        Assert.Equal("198.18.3.2", LabAddresses.Pod(3, 0).ToString());
        Assert.Equal("198.18.3.0/24", LabAddresses.PodCidr(3));
    }
}
