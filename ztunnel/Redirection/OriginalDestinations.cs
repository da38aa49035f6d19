using System.Net;
using System.Net.Sockets;

namespace Mesh.Ztunnel.Redirection;

/// <summary>
/// The original-destination map (orig_dst_by_client) as the proxy reads it once per captured outbound connection:
/// keyed by the pod's netns cookie and the client's address and port, as sockops re-keyed it at connect. Lock-free;
/// the map outlives every accept loop (<see cref="LoadedCapture"/> is disposed last).
/// </summary>
public sealed class OriginalDestinations(LoadedCapture capture)
{
    /// <summary>
    /// The destination the app asked for, for a connection accepted on the pod's 15001 listener from
    /// <paramref name="client"/>; false when capture did not record it.
    /// </summary>
    public bool TryGetOriginalDestination(PodListeners pod, IPEndPoint client, out IPEndPoint originalDestination)
    {
        originalDestination = null!;
        if (!IsIPv4(client.Address)
            || !capture.Programs.OrigDstByClient.TryLookup(BpfAddress.ClientKey(pod.NetnsCookie, client), out var dst))
        {
            return false;
        }
        originalDestination = BpfAddress.ToEndPoint(dst);
        return true;
    }

    private static bool IsIPv4(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetwork || address.IsIPv4MappedToIPv6;
}
