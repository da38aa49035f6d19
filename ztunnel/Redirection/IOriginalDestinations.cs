using System.Net;

namespace Mesh.Ztunnel.Redirection;

/// <summary>Where a captured outbound connection was going (read from the BPF map).</summary>
public interface IOriginalDestinations
{
    /// <summary>
    /// The destination the app asked for, for a connection accepted on the pod's 15001 listener from
    /// <paramref name="client"/>; false when capture did not record it.
    /// </summary>
    bool TryGetOriginalDestination(PodListeners pod, IPEndPoint client, out IPEndPoint originalDestination);
}
