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
    /// <paramref name="client"/>, as the endpoint the plan and the CONNECT carry from here on (the one conversion
    /// from the map's encoding); null when capture did not record it.
    /// </summary>
    public IPEndPoint? Find(PodListeners pod, IPEndPoint client) =>
        IsIPv4(client.Address) && capture.Programs.OrigDstByClient.TryLookup(BpfAddress.ClientKey(pod.NetnsCookie, client), out var dst)
            ? BpfAddress.ToEndPoint(dst)
            : null;

    private static bool IsIPv4(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetwork || address.IsIPv4MappedToIPv6;
}
