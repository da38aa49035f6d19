using System.Net;
using System.Net.Sockets;
using Mesh.Native.Net;
using Mesh.Tests.Common;

namespace Mesh.Tests.Integration.Native;

/// <summary>The kernel's answer to "which socket has this local and remote end" (sock_diag; root: made through setns).</summary>
public sealed class TcpSocketLookupTests
{
    [RootFact]
    public async Task Find_LiveConnectionListenerAndNothing_StateOfEach()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        var local = (IPEndPoint)listener.LocalEndPoint!;
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(local);
        using var accepted = await listener.AcceptAsync();
        var remote = (IPEndPoint)client.LocalEndPoint!;
        using var unused = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        unused.Bind(new IPEndPoint(IPAddress.Loopback, 0)); // a port nothing listens on or connects from
        var nothing = (IPEndPoint)unused.LocalEndPoint!;

        using var lookup = TcpSocketLookup.Open("/proc/self/ns/net");

        Assert.Equal(TcpSocketState.Established, lookup.Find(local, remote)); // the accepted end
        Assert.Equal(TcpSocketState.Established, lookup.Find(remote, local)); // the client's end
        Assert.Equal(TcpSocketState.Listen, lookup.Find(local, nothing)); // no such connection: the listener answers
        Assert.Null(lookup.Find(nothing, local));
    }
}
