using System.Net;
using Mesh.Ztunnel.Redirection;

namespace Mesh.Tests.Unit.Capture;

public sealed class BpfAddressTests
{
    [Fact]
    public void ToNetworkOrder_Ipv4_KeepsAddressBytesInMemoryOrder()
    {
        var value = BpfAddress.ToNetworkOrder(IPAddress.Parse("198.18.1.2"));

        Assert.Equal(new byte[] { 198, 18, 1, 2 }, BitConverter.GetBytes(value));
    }

    [Fact]
    public void ToNetworkOrder_V4MappedIpv6_UsesTheIpv4Address()
    {
        Assert.Equal(BpfAddress.ToNetworkOrder(IPAddress.Parse("127.0.0.1")), BpfAddress.ToNetworkOrder(IPAddress.Parse("::ffff:127.0.0.1")));
    }

    [Fact]
    public void ToNetworkOrder_NativeIpv6_Throws()
    {
        Assert.Throws<ArgumentException>(() => BpfAddress.ToNetworkOrder(IPAddress.IPv6Loopback));
    }

    [Fact]
    public void FromNetworkOrder_RoundTrips()
    {
        var address = IPAddress.Parse("198.19.128.7");

        Assert.Equal(address, BpfAddress.FromNetworkOrder(BpfAddress.ToNetworkOrder(address)));
    }

    [Fact]
    public void ClientKey_Endpoint_CarriesCookieAddressAndHostOrderPort()
    {
        var key = BpfAddress.ClientKey(42, new IPEndPoint(IPAddress.Loopback, 40000));

        Assert.Equal(42UL, key.NetnsCookie);
        Assert.Equal(BpfAddress.ToNetworkOrder(IPAddress.Loopback), key.Ip);
        Assert.Equal(40000, key.Port);
        Assert.Equal(0, key.Pad);
    }

    [Fact]
    public void ToEndPoint_OrigDst_GivesAddressAndPort()
    {
        var dst = new MeshOrigDst { Ip = BpfAddress.ToNetworkOrder(IPAddress.Parse("198.18.2.3")), Port = 8080 };

        Assert.Equal(new IPEndPoint(IPAddress.Parse("198.18.2.3"), 8080), BpfAddress.ToEndPoint(dst));
    }
}
