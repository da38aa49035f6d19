using System.Net.Sockets;

namespace Mesh.Ztunnel.Redirection;

/// <summary>One pod's three listening sockets as a predecessor ztunnel handed them over (same sockets, same accept queues).</summary>
public sealed record PodListenerSockets(string Uid, Socket Outbound, Socket Inbound, Socket Hbone) : IDisposable
{
    public void Dispose()
    {
        Outbound.Dispose();
        Inbound.Dispose();
        Hbone.Dispose();
    }
}
