using System.Net.Sockets;
using Mesh.Native;

namespace Mesh.Ztunnel.Redirection;

/// <summary>
/// Sockets ztunnel dials from inside a pod: created in the pod's network namespace (so the peer sees
/// the pod's address) and marked with ztunnel's SO_MARK (so capture never redirects them).
/// </summary>
public sealed class PodSocketFactory
{
    private readonly NetNsSocketOptions _options;

    public PodSocketFactory(uint ztunnelMark)
    {
        _options = new NetNsSocketOptions(Mark: ztunnelMark, Transparent: false, ReuseAddress: false);
    }

    public Socket CreateTcp(PodCapture pod) => NetNs.CreateTcpSocket(pod.NetnsPath, _options);
}
