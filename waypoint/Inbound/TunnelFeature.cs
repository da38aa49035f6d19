using System.Net;
using Mesh.Core.Identity;

namespace Mesh.Waypoint.Inbound;

/// <summary>
/// What the HBONE layer knows about a tunnel, visible to every HTTP request parsed out of it: the original
/// destination (<c>:authority</c>), the verified peer identity (the client's certificate, presented by its
/// ztunnel) and the address the tunnel came from.
/// </summary>
public sealed record TunnelFeature(IPEndPoint Destination, SpiffeId PeerIdentity, IPEndPoint? Source);
