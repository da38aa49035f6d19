using System.Net;
using System.Net.Sockets;

namespace Mesh.Core.Hbone;

/// <summary>Creates and connects the TCP socket of an outbound HBONE connection (ztunnel creates it inside the source pod's network namespace, with its mark).</summary>
public delegate ValueTask<Socket> HboneSocketFactory(IPEndPoint destination, IPAddress? source, CancellationToken cancellationToken);
