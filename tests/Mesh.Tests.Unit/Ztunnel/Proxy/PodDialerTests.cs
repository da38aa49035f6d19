using System.Net;
using System.Net.Sockets;
using Mesh.Ztunnel.Proxy;
using Mesh.Ztunnel.Redirection;

namespace Mesh.Tests.Unit.Ztunnel.Proxy;

public sealed class PodDialerTests
{
    private static readonly IPEndPoint Peer = new(IPAddress.Parse("198.18.0.9"), 15008);
    private static readonly IPAddress PodIp = IPAddress.Parse("198.18.0.2");

    private static PodCapture Pod(string uid) => new(uid, PodIp, $"/nonexistent/netns/{uid}", $"/nonexistent/cgroup/{uid}");

    [Fact]
    public async Task ConnectFromPodAsync_SourceOfNoEnrolledPod_RefusedAsAddressNotAvailable()
    {
        var dialer = new PodDialer(new PodSocketFactory(0x539u));

        var e = await Assert.ThrowsAsync<SocketException>(() => dialer.ConnectFromPodAsync(Peer, PodIp, CancellationToken.None).AsTask());

        Assert.Equal(SocketError.AddressNotAvailable, e.SocketErrorCode);
    }

    [Fact]
    public async Task Remove_PodWhoseAddressANewerPodTook_NewerPodKeepsTheAddress()
    {
        var dialer = new PodDialer(new PodSocketFactory(0x539u));
        var old = Pod("demo/old");
        var newer = Pod("demo/new");
        dialer.Add(old);
        dialer.Add(newer);

        dialer.Remove(old);

        // The address still has a pod: the dial goes to its namespace (which does not exist here), not refused as unknown.
        var kept = await Record.ExceptionAsync(() => dialer.ConnectFromPodAsync(Peer, PodIp, CancellationToken.None).AsTask());
        Assert.False(kept is SocketException { SocketErrorCode: SocketError.AddressNotAvailable }, kept?.ToString());
        dialer.Remove(newer);
        var gone = await Assert.ThrowsAsync<SocketException>(() => dialer.ConnectFromPodAsync(Peer, PodIp, CancellationToken.None).AsTask());
        Assert.Equal(SocketError.AddressNotAvailable, gone.SocketErrorCode);
    }
}
