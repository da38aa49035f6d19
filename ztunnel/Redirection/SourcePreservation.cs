using Mesh.Native;
using Mesh.Native.Net;
using Microsoft.Extensions.Logging;

namespace Mesh.Ztunnel.Redirection;

/// <summary>
/// Source preservation in an enrolled pod (<see cref="PodInboundRoutes"/>, <see cref="TcpSocketLookup"/>) with its
/// failures reported once: set up at enroll, torn down at unenroll, and removed where a crashed ztunnel left it.
/// A failure never fails the enrollment: the pod's app then sees the pod's own address.
/// </summary>
internal sealed class SourcePreservation(RedirectionOptions options, ILogger logger)
{
    private readonly PodInboundRoutes _routes = new(options);

    /// <summary>
    /// The pod's routes, and the socket lookup that keeps a dial from the client's address off the ports of the
    /// client's own live connections. On failure logs one warning, undoes what it can, and returns null.
    /// </summary>
    public TcpSocketLookup? TrySetUp(PodCapture pod)
    {
        try
        {
            _routes.Add(pod);
            return TcpSocketLookup.Open(pod.NetnsPath);
        }
        catch (Exception e) when (IsSetupFailure(e))
        {
            RedirectionLog.SourceRoutesFailed(logger, pod.Uid, e.Message);
            try
            {
                _routes.Remove(pod);
            }
            catch (Exception again) when (IsSetupFailure(again))
            {
                // already said why; nothing more to do
            }
            return null;
        }
    }

    /// <summary>At unenroll: removes the pod's routes (nothing to do when its namespace is gone, the routes with it).</summary>
    public void TearDown(PodCapture pod)
    {
        if (!File.Exists(pod.NetnsPath))
        {
            return;
        }
        try
        {
            _routes.Remove(pod);
        }
        catch (Exception e) when (IsSetupFailure(e))
        {
            RedirectionLog.SourceRoutesRemoveFailed(logger, pod.Uid, e.Message);
        }
    }

    /// <summary>Removes the routes a crashed earlier ztunnel left in <paramref name="pod"/> (at start and at uninstall).</summary>
    public void RemoveStale(PodCapture pod, bool reportRemoved = true)
    {
        try
        {
            if (_routes.Remove(pod) && reportRemoved)
            {
                RedirectionLog.StaleSourceRoutesRemoved(logger, pod.Uid);
            }
        }
        catch (Exception e) when (IsSetupFailure(e))
        {
            RedirectionLog.StaleCleanupFailed(logger, pod.Uid, e.Message);
        }
    }

    private static bool IsSetupFailure(Exception e) => e is BpfException or IOException or UnauthorizedAccessException;
}
