using System.Net.Sockets;
using Mesh.Native.Net;

namespace Mesh.Ztunnel.Redirection;

/// <summary>
/// The three listeners ztunnel holds inside one enrolled pod's network namespace, plus the facts
/// the proxy needs about it. The <see cref="PodEnroller"/> owns the sockets; they are closed
/// when the pod is unenrolled (accept loops then end).
/// </summary>
/// <param name="Pod">The pod.</param>
/// <param name="Outbound">127.0.0.1:15001: the app's captured connects.</param>
/// <param name="Inbound">0.0.0.0:15006: plaintext to the pod (local endpoint = original destination).</param>
/// <param name="Hbone">0.0.0.0:15008: HBONE to the pod.</param>
/// <param name="NetnsCookie">SO_NETNS_COOKIE of the pod's namespace (part of the original-destination key).</param>
public sealed record PodListeners(PodCapture Pod, Socket Outbound, Socket Inbound, Socket Hbone, ulong NetnsCookie)
{
    /// <summary>
    /// The pod's routes for source preservation are in place (<see cref="PodInboundRoutes"/>): dials to its app
    /// may bind the original client's address.
    /// </summary>
    public bool SourcePreserved { get; init; }

    /// <summary>The pod's TCP sockets, looked up by endpoints (set with <see cref="SourcePreserved"/>; this process owns it).</summary>
    public TcpSocketLookup? Connections { get; init; }
}
