using System.Net;
using Mesh.Core.Identity;

namespace Mesh.Core.Hbone;

/// <summary>Connections are shared only between tunnels with the same source identity (and address), destination identity and HBONE address.</summary>
internal readonly record struct HbonePoolKey(SpiffeId Source, IPAddress? SourceAddress, SpiffeId Destination, IPEndPoint HboneAddress);
