using System.Net;
using Mesh.Ztunnel.Limits;
using Mesh.Ztunnel.Proxy;

namespace Mesh.Tests.Unit.Capture;

public sealed class CaptureGuardTests
{
    private static readonly IPAddress s_pod = IPAddress.Parse("198.18.1.5");

    [Fact]
    public void CheckOutbound_NoOriginalDestination_IsRefused()
    {
        Assert.Equal(RefusalReason.NoOriginalDestination, CaptureGuard.CheckOutbound(s_pod, null));
    }

    [Theory]
    [InlineData("127.0.0.1", 15001)]
    [InlineData("127.0.0.1", 15006)]
    [InlineData("198.18.1.5", 15008)]
    [InlineData("0.0.0.0", 15006)]
    [InlineData("::ffff:127.0.0.1", 15001)]
    public void CheckOutbound_OwnListener_IsALoop(string address, int port)
    {
        Assert.Equal(RefusalReason.Loop, CaptureGuard.CheckOutbound(s_pod, new IPEndPoint(IPAddress.Parse(address), port)));
    }

    [Theory]
    [InlineData("198.18.2.7", 8080)]
    [InlineData("198.18.2.7", 15008)] // HBONE to another pod is fine
    [InlineData("198.19.128.1", 80)]
    [InlineData("198.18.1.5", 8080)] // the pod's own app port
    public void CheckOutbound_OtherDestination_IsForwarded(string address, int port)
    {
        Assert.Equal(RefusalReason.None, CaptureGuard.CheckOutbound(s_pod, new IPEndPoint(IPAddress.Parse(address), port)));
    }

    [Fact]
    public void CheckInbound_AppPort_IsForwarded()
    {
        Assert.Equal(RefusalReason.None, CaptureGuard.CheckInbound(s_pod, new IPEndPoint(s_pod, 8080)));
    }

    [Fact]
    public void CheckInbound_InboundListenerItself_IsALoop()
    {
        Assert.Equal(RefusalReason.Loop, CaptureGuard.CheckInbound(s_pod, new IPEndPoint(s_pod, 15006)));
    }
}
